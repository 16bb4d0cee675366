# fish completion for stockagent.
#
# Thin on purpose: the candidates come from 'stockagent __complete WORDS...'
# (the command table, the settings, the provider's symbols, the runs in the
# database), so this file never goes stale. A ':file' or ':dir' line asks
# for file or directory names.

function __stockagent_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd $words[1]
    if not string match -q -- '*/*' $cmd; or not test -x $cmd
        set cmd stockagent
    end
    set -l out ($cmd __complete $words[2..-1] $cur 2>/dev/null)
    switch "$out[1]"
        case :file
            __fish_complete_path $cur
        case :dir
            __fish_complete_directories $cur
        case '*'
            printf '%s\n' $out
    end
end

complete -c stockagent -f -a '(__stockagent_complete)'
