#!/usr/bin/env python3
"""report.py - the table of make bench (called by tools/bench.sh)

Reads results.tsv (setup, key, mtu, run, value per line) and status.tsv
(setup, why it did not run), prints one Markdown table of medians with
ratios to stdout and writes report.md (the same table, the conditions and
every run's figure) and, when gnuplot is installed, throughput.png.

A row is a (key, MTU) pair found in the results; ROWS below says how each
key is labelled and formatted, in table order.  A new metric only needs a
line here and a metric_* function in metrics.sh.
"""
import argparse
import collections
import datetime
import os
import platform
import shutil
import statistics
import subprocess

# key: (label with {mtu}, unit, decimals, better: 'high' or 'low', per-MTU?)
ROWS = collections.OrderedDict([
    ('tput_send', ('TCP program→peer, MTU {mtu}', 'Gbit/s', 2, 'high', True)),
    ('tput_recv', ('TCP peer→program, MTU {mtu}', 'Gbit/s', 2, 'high', True)),
    ('lat_p50',   ('TCP RTT median (MTU {mtu})', 'µs', 1, 'low', False)),
    ('lat_p99',   ('TCP RTT p99 (MTU {mtu})', 'µs', 1, 'low', False)),
    ('crate_client', ('HTTP/1.0 connections/s, client under test', 'req/s', 0, 'high', False)),
    ('crate_server', ('HTTP/1.0 connections/s, server under test', 'req/s', 0, 'high', False)),
    ('idle_rss_per_conn', ('daemon RSS per idle connection', 'KiB', 2, 'low', False)),
    ('idle_rss_after', ('daemon RSS above baseline after closing them', 'KiB', 0, 'low', False)),
    ('rss_crate_client', ('daemon RSS growth per ab run, client', 'KiB', 0, 'low', False)),
    ('rss_crate_server', ('daemon RSS growth per ab run, server', 'KiB', 0, 'low', False)),
    ('cpu_send',  ('lwipd CPU, program→peer, MTU {mtu}', 's/GB', 2, 'low', True)),
    ('cpu_recv',  ('lwipd CPU, peer→program, MTU {mtu}', 's/GB', 2, 'low', True)),
])
# ratio columns: (numerator, denominator)
RATIOS = [('lwipd', 'kernel'), ('lwipd', 'slirp4netns')]


def load(path):
    data = collections.defaultdict(list)      # (key, mtu, setup) -> [values]
    if os.path.exists(path):
        for line in open(path):
            f = line.rstrip('\n').split('\t')
            if len(f) != 5:
                continue
            setup, key, mtu, _run, value = f
            try:
                data[(key, int(mtu), setup)].append(float(value))
            except ValueError:
                pass
    return data


def row_order(data):
    """throughput rows by MTU, then latency, then lwipd's CPU (by ROWS' key prefix)"""
    keys = {(k, m) for (k, m, _s) in data}
    order = list(ROWS)
    groups = []
    for k in order:
        g = k.split('_')[0]
        if g not in groups:
            groups.append(g)
    def sortkey(km):
        k, m = km
        g = k.split('_')[0]
        return (groups.index(g) if g in groups else 99, m,
                order.index(k) if k in order else 99, k)
    return sorted(keys, key=sortkey)


def fmt(v, dec):
    return '%.*f' % (dec, v)


def table(data, setups, status):
    cols = ['metric'] + setups + ['%s/%s' % r for r in RATIOS
                                  if r[0] in setups and r[1] in setups]
    rows = []
    for key, mtu in row_order(data):
        label, unit, dec, _better, _ = ROWS.get(key, (key + ' {mtu}', '', 2, 'high', True))
        cells = ['%s (%s)' % (label.format(mtu=mtu), unit)]
        med = {}
        for s in setups:
            vals = data.get((key, mtu, s))
            if vals:
                med[s] = statistics.median(vals)
                cells.append(fmt(med[s], dec))
            elif s in status:
                cells.append(status[s])
            else:
                cells.append('–')
        for a, b in RATIOS:
            if a in setups and b in setups:
                if a in med and b in med and med[b] > 0:
                    cells.append('%.2f×' % (med[a] / med[b]))
                else:
                    cells.append('–')
        rows.append(cells)
    width = [max(len(r[i]) for r in [cols] + rows) for i in range(len(cols))]
    def line(cells):
        return '| ' + ' | '.join(c.ljust(width[i]) if i == 0 else c.rjust(width[i])
                                 for i, c in enumerate(cells)) + ' |'
    out = [line(cols), '|' + '|'.join('-' * (w + 2) if i == 0 else '-' * (w + 1) + ':'
                                      for i, w in enumerate(width)) + '|']
    out += [line(r) for r in rows]
    return '\n'.join(out)


def runs_table(data, setups):
    out = ['| metric | setup | runs | min – max |', '|---|---|---|---|']
    for key, mtu in row_order(data):
        label, unit, dec, _b, _ = ROWS.get(key, (key + ' {mtu}', '', 2, 'high', True))
        for s in setups:
            vals = data.get((key, mtu, s))
            if not vals:
                continue
            out.append('| %s (%s) | %s | %s | %s – %s |' % (
                label.format(mtu=mtu), unit, s, ', '.join(fmt(v, dec) for v in vals),
                fmt(min(vals), dec), fmt(max(vals), dec)))
    return '\n'.join(out)


def git_rev(root):
    try:
        return subprocess.run(['git', '-C', root, 'describe', '--always', '--dirty'],
                              capture_output=True, text=True).stdout.strip()
    except OSError:
        return '?'


def chart(data, setups, outdir):
    """throughput.png: grouped bars of the throughput rows, if gnuplot exists"""
    gp = shutil.which('gnuplot')
    rows = [(k, m) for (k, m) in row_order(data) if k.startswith('tput_')]
    if not gp or not rows:
        return None
    dat = os.path.join(outdir, 'throughput.dat')
    with open(dat, 'w') as f:
        f.write('metric ' + ' '.join(setups) + '\n')
        for key, mtu in rows:
            label = '%s %d' % ('prog→peer' if key == 'tput_send' else 'peer→prog', mtu)
            vals = []
            for s in setups:
                v = data.get((key, mtu, s))
                vals.append('%.3f' % statistics.median(v) if v else '0')
            f.write('"%s" %s\n' % (label, ' '.join(vals)))
    png = os.path.join(outdir, 'throughput.png')
    plots = ', '.join("'%s' using %d:xtic(1) title columnhead" % (dat, i + 2)
                      for i in range(len(setups)))
    script = '''
set terminal pngcairo size 900,500 noenhanced
set output '%s'
set title 'TCP throughput (iperf3, median), Gbit/s'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left
set ylabel 'Gbit/s'
set yrange [0:*]
set grid ytics
plot %s
''' % (png, plots)
    r = subprocess.run([gp], input=script, capture_output=True, text=True)
    return png if r.returncode == 0 else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--results', required=True)
    ap.add_argument('--status', required=True)
    ap.add_argument('--setups', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--params', default='')
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    setups = a.setups.split()
    status = {}
    if os.path.exists(a.status):
        for line in open(a.status):
            f = line.rstrip('\n').split('\t', 1)
            if len(f) == 2:
                status[f[0]] = f[1]
    data = load(a.results)
    t = table(data, setups, status)
    print(t)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    root = os.path.dirname(root)
    png = chart(data, setups, a.out)
    now = datetime.datetime.now().strftime('%Y-%m-%d %H:%M')
    cpu = '?'
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    md = ['# make bench report', '',
          '%s, tree %s, Linux %s, %d CPUs (%s); %s.' % (
              now, git_rev(root), platform.release(), os.cpu_count(), cpu, a.params),
          '', 'Medians over the runs; ratios are of the medians (throughput: higher is '
          'better; latency and CPU: lower is better). See docs/benchmarks.md.', '', t, '']
    if png:
        md += ['![TCP throughput](%s)' % os.path.basename(png), '']
    md += ['## Every run', '', runs_table(data, setups), '']
    with open(os.path.join(a.out, 'report.md'), 'w') as f:
        f.write('\n'.join(md))
    print('\n(written to %s%s)' % (os.path.relpath(os.path.join(a.out, 'report.md')),
                                   ', chart ' + os.path.relpath(png) if png else ''))


if __name__ == '__main__':
    main()
