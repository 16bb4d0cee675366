#!/usr/bin/env python3
"""record-ta-stats.py: numpy float64 oracle for tools/ta's statistics.

Reads the input series in tests/fixtures/ta/{trend,volatile,market}.json
(written by record-ta.js) and writes tests/fixtures/ta/stats.json with
volatility, max drawdown, Sharpe and beta computed with numpy, plus the
expected windows (price, returns, 52-week range, risk) of ta_analyze for a few
as-of dates, computed here with datetime and numpy independently of the C
code. numpy is needed only to re-record, not by the tests.

Re-run from the repository root with a python3 that has numpy (Debian's
python3-numpy: /usr/bin/python3):
    /usr/bin/python3 tests/oracle/record-ta-stats.py
"""
import datetime as dt
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, '..', 'fixtures', 'ta')
RF = 0.0434
WINDOW = 252


def load(name):
    with open(os.path.join(FIX, name + '.json')) as f:
        d = json.load(f)
    d['date'] = [dt.date.fromisoformat(s) for s in d['date']]
    for k in ('open', 'high', 'low', 'close', 'volume'):
        d[k] = np.array(d[k], dtype=np.float64)
    return d


def returns(close):
    return close[1:] / close[:-1] - 1


def volatility(close):
    return float(np.std(returns(close), ddof=1) * np.sqrt(252) * 100)


def drawdown(close):
    peak = np.maximum.accumulate(close)
    dd = (close - peak) / peak
    trough = int(np.argmin(dd))
    return {'percent': float(dd[trough] * 100),
            'peak': int(np.argmax(close[:trough + 1])), 'trough': trough}


def sharpe(r, rf):
    e = r - rf / 252
    return float(np.sqrt(252) * np.mean(e) / np.std(e, ddof=1))


def beta(rs, rm):
    c = np.cov(rs, rm, ddof=1)
    return float(c[0, 1] / c[1, 1])


def minus_year(d):
    if d.month == 2 and d.day == 29:
        return dt.date(d.year - 1, 2, 28)
    return dt.date(d.year - 1, d.month, d.day)


def last_le(dates, day):
    """Index of the last date <= day, or None."""
    idx = [i for i, d in enumerate(dates) if d <= day]
    return idx[-1] if idx else None


def analysis(stock, index, as_of):
    s = load(stock)
    last = last_le(s['date'], as_of)
    c = s['close']
    year_ago = minus_year(as_of)
    out = {'stock': stock, 'index': index, 'as_of': as_of.isoformat(),
           'rf': RF, 'price': float(c[last]),
           'previous_close': float(c[last - 1])}
    out['change_percent'] = float((c[last] / c[last - 1] - 1) * 100)
    b = last_le(s['date'], year_ago)
    out['one_year_percent'] = (None if b is None else
                               float((c[last] / c[b] - 1) * 100))
    out['one_year_base_date'] = None if b is None else s['date'][b].isoformat()
    b = last_le(s['date'], dt.date(as_of.year - 1, 12, 31))
    out['ytd_percent'] = (None if b is None else
                          float((c[last] / c[b] - 1) * 100))
    out['ytd_base_date'] = None if b is None else s['date'][b].isoformat()
    win = [i for i, d in enumerate(s['date']) if year_ago < d <= as_of]
    out['range_high'] = float(s['high'][win].max())
    out['range_low'] = float(s['low'][win].min())
    out['series_len'] = len(win)
    out['series_first'] = s['date'][win[0]].isoformat()
    m = min(WINDOW, last)
    w = c[last - m:last + 1]
    out['volatility_percent'] = volatility(w)
    dd = drawdown(w)
    out['max_drawdown_percent'] = dd['percent']
    out['max_drawdown_peak'] = s['date'][last - m + dd['peak']].isoformat()
    out['max_drawdown_trough'] = s['date'][last - m + dd['trough']].isoformat()
    out['sharpe'] = sharpe(returns(w), RF)
    if index is not None:
        x = load(index)
        sd = {d: i for i, d in enumerate(s['date']) if d <= as_of}
        xd = {d: i for i, d in enumerate(x['date']) if d <= as_of}
        common = sorted(set(sd) & set(xd))[-(WINDOW + 1):]
        cs = np.array([c[sd[d]] for d in common])
        cm = np.array([x['close'][xd[d]] for d in common])
        out['beta'] = beta(returns(cs), returns(cm))
    else:
        out['beta'] = None
    return out


def main():
    doc = {'description': 'numpy %s float64; recorded by '
           'tests/oracle/record-ta-stats.py' % np.__version__,
           'rf': RF, 'series': {}, 'beta': [], 'analysis': []}
    for name in ('trend', 'volatile', 'market'):
        c = load(name)['close']
        doc['series'][name] = {'volatility_percent': volatility(c),
                               'drawdown': drawdown(c),
                               'sharpe': sharpe(returns(c), RF)}
    v, m = load('volatile')['close'], load('market')['close']
    n = 300
    doc['beta'].append({'stock': 'volatile', 'market': 'market', 'n': n,
                        'beta': beta(returns(v[:n + 1]), returns(m[:n + 1]))})
    for stock, index, day in (('volatile', 'market', '2025-06-29'),
                              ('volatile', 'market', '2025-09-04'),
                              ('trend', 'market', '2025-03-01'),
                              ('trend', None, '2024-12-31')):
        doc['analysis'].append(analysis(stock, index,
                                        dt.date.fromisoformat(day)))
    path = os.path.join(FIX, 'stats.json')
    with open(path, 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    print('wrote ' + path)


if __name__ == '__main__':
    main()
