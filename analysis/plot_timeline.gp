# plot_timeline.gp - one run over time: busy fraction of the kernel,
# config-upload and telemetry-download streams per time bin (top), and the
# number of ready tasks waiting for a stream of each class (bottom).
# Data: util.dat (bin_start_ms kernel upload download), ready.dat (t_ms
# kernel upload download, steps). Vars: HAS, UL, RL, RMAX, XMIN, XMAX,
# BINMS, BINNED, STEPBINMS, TITLE.
load scriptdir.'/plot_style.gp'
array CCOL[3] = ['#0072B2', '#E69F00', '#009E73']
set multiplot layout 2, 1 title TITLE."\n" font ',11'
# Fixed margins (characters) keep the two time axes aligned; keys sit above each panel.
set lmargin 10
set rmargin 10
set xrange [XMIN : XMAX]
set title sprintf('busy fraction of the streams per %.3g ms bin', BINMS) font ',10'
set ylabel 'busy fraction'
set yrange [0 : 1.05]
set format x '%g'
unset xlabel
set key outside top center horizontal maxrows 1 samplen 2 width 1
plot for [k = 1:3] (HAS[k] ? datadir.'/util.dat' : NaN) using 1:(column(k + 1)) with steps lw 1.5 lc rgb CCOL[k] title UL[k]
set title (BINNED ? sprintf('ready tasks waiting for a stream (maximum per %.3g ms)', STEPBINMS) : 'ready tasks waiting for a stream') font ',10'
set ylabel 'ready kernel tasks'
set xlabel 'time since the run started (ms)'
if (RMAX[1] > 0) { set yrange [0 : *] } else { set yrange [0 : 1]; set ytics 1 }
# Copies (uploads, downloads) come in bursts far larger than the kernel
# queue: they get the right axis.
set y2label 'ready copies (right axis)'
set y2tics nomirror
if (RMAX[2] + RMAX[3] > 0) { set y2range [0 : *] } else { set y2range [0 : 1]; set y2tics 1 }
plot datadir.'/ready.dat' using 1:2 with steps lw 1.5 lc rgb CCOL[1] title RL[1], \
     for [k = 2:3] datadir.'/ready.dat' using 1:(column(k + 1)) axes x1y2 with steps lw 1.5 lc rgb CCOL[k] title RL[k].' (right axis)'
unset multiplot
