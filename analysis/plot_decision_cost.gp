# plot_decision_cost.gp - CDF of the decision cost (wall time of one policy
# pick) per policy, log x axis. Data: dc_P.dat (cost_ns fraction) per policy.
# Vars: NP, PL, XMIN, XMAX, TITLE.
load scriptdir.'/plot_style.gp'
set title TITLE font ',11'
set logscale x 10
set xrange [XMIN / 1.5 : XMAX * 1.5]
set format x '10^{%T}'
set format x '%.0s%c'
set xlabel 'decision cost (ns, log scale)'
set ylabel 'fraction of decisions at most x'
set yrange [0 : 1.02]
set ytics 0.1
set grid xtics mxtics ytics
set mxtics 10
set key bottom right box opaque width 1
plot for [p = 1:NP] sprintf('%s/dc_%d.dat', datadir, p) using 1:2 with steps lw 2 lc rgb pcol(p) title PL[p]
