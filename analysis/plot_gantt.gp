# plot_gantt.gp - Gantt chart of one run: a row per stream (config-upload and
# telemetry-download included), a box per task colored by task type. Tasks
# shorter than a pixel still show as a 1-pixel line (the box border).
# Data: TYF[t] (start_ms end_ms row failed) per task type t.
# Vars: NST, STN, NT, TYN, TYF, FAILED, TASKS, BOXES (fewer than TASKS when
# tasks less than a pixel apart were merged), XMIN, XMAX, TITLE.
load scriptdir.'/plot_style.gp'
set title TITLE font ',11'
set xrange [XMIN : XMAX]
set yrange [NST - 0.5 : -0.5]
set ytics () scale 0
do for [r = 1:NST] { set ytics add (STN[r] r - 1) }
set xlabel 'time since the run started (ms)'
set grid x noy
set key below horizontal maxcols 6 samplen 1.5 width 1
# Failed tasks (status != 0) get a black hatch over their type's color.
plot for [t = 1:NT] datadir.'/'.TYF[t] \
       using (($1 + $2) / 2):3:(($2 - $1) / 2):(0.36) \
       with boxxyerror fs solid 1.0 border lc rgb tcol(t) lc rgb tcol(t) title TYN[t], \
     for [t = 1:(FAILED > 0 ? NT : 0)] datadir.'/'.TYF[t] \
       using (($1 + $2) / 2):($4 > 0 ? $3 : NaN):(($2 - $1) / 2):(0.36) \
       with boxxyerror fs transparent pattern 4 border lc rgb 'black' lc rgb 'black' \
       title (t == 1 ? sprintf('failed (%d)', FAILED) : '')
