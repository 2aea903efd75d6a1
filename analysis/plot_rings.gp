# plot_rings.gp - one run: utilization of the device config and telemetry
# rings (and the host collector) at each sample (top), and the cumulative
# overflow count of each (bottom). Data: r_K.dat (t_ms pct len overflows)
# per ring K. Vars: NR, RL, RID, NSAMPLES, XMIN, XMAX, TITLE.
load scriptdir.'/plot_style.gp'
array RCOL[3] = ['#D55E00', '#0072B2', '#009E73']
set multiplot layout 2, 1 title TITLE."\n" font ',11'
# Fixed margins (characters) keep the two time axes aligned; the key sits above.
set lmargin 10
set rmargin 4
set xrange [XMIN : XMAX]
set title sprintf('ring occupancy at each snapshot (%d samples per ring)', NSAMPLES) font ',10'
set ylabel 'utilization (% of slots)'
set yrange [0 : 105]
set key outside top center horizontal maxrows 1 samplen 2 width 1
plot for [r = 1:NR] sprintf('%s/r_%d.dat', datadir, int(RID[r])) using 1:2 with linespoints pt 7 ps 0.5 lw 1.5 lc rgb RCOL[(r - 1) % 3 + 1] title RL[r]
set title 'cumulative overflows (writes that found the ring full)' font ',10'
set ylabel 'overflows'
set xlabel 'time since the run started (ms)'
if (OVFMAX == 0) { set yrange [0 : 1]; set ytics 1 } else { set yrange [0 : *]; set ytics autofreq }
set format y '%.0f'
unset key
plot for [r = 1:NR] sprintf('%s/r_%d.dat', datadir, int(RID[r])) using 1:4 with linespoints pt 7 ps 0.5 lw 1.5 lc rgb RCOL[(r - 1) % 3 + 1] notitle
unset multiplot
