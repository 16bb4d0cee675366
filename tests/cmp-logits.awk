# cmp-logits.awk: compares two 'stockagent model logits' JSON files
# (cuda, then the reference) without Python: prints the worst
# max |a - b| / max |b| over the positions and exits 1 above TOL.
#   awk -v tol=1e-3 -f cmp-logits.awk A.json B.json
function load(file, arr,    text, line, n, i, parts, k) {
	text = ""
	while ((getline line < file) > 0)
		text = text line
	close(file)
	if (!match(text, /"vocab": [0-9]+/))
		return -1
	V = substr(text, RSTART + 9, RLENGTH - 9) + 0
	sub(/.*"logits": \[/, "", text)
	gsub(/[][}]/, " ", text)
	n = split(text, parts, /[ ,]+/)
	k = 0
	for (i = 1; i <= n; i++)
		if (parts[i] != "")
			arr[k++] = parts[i] + 0
	return k
}
BEGIN {
	na = load(ARGV[1], a)
	nb = load(ARGV[2], b)
	if (na <= 0 || na != nb) {
		printf "cmp-logits: %s has %d values, %s %d\n", ARGV[1], na,
		    ARGV[2], nb
		exit 2
	}
	worst = 0
	for (p = 0; p < na / V; p++) {
		scale = 0
		diff = 0
		for (i = p * V; i < (p + 1) * V; i++) {
			v = b[i] < 0 ? -b[i] : b[i]
			if (v > scale)
				scale = v
			d = a[i] - b[i]
			if (d < 0)
				d = -d
			if (d > diff)
				diff = d
		}
		if (scale > 0 && diff / scale > worst)
			worst = diff / scale
	}
	printf "%.3g\n", worst
	exit worst <= tol ? 0 : 1
}
