# plot_sim_vs_real.gp - mean makespan under sim against a real backend per
# scenario (color) and policy (point type): log-log with the line y = x (top)
# and the relative error sim/real - 1 against the real makespan (bottom).
# Data: points.dat (real_ms sim_ms scenario_index policy_index).
# Vars: NS, SC, NP, PO, LO, HI, EMAX, REAL, TITLE.
load scriptdir.'/plot_style.gp'
array PTS[8] = [7, 5, 9, 11, 13, 15, 4, 6]
pt(p) = PTS[(int(p) - 1) % 8 + 1]
set multiplot title TITLE font ',11'
set lmargin 12
set rmargin 28
set logscale x 10
set xrange [LO : HI]
set format x '%g'
# Labelled tics at 1, 2 and 5 times each power of ten in the range (plain
# log tics label only the powers), gnuplot's own where fewer than two fit.
set xtics ()
set ytics ()
ntics = 0
do for [d = floor(log10(LO)) : ceil(log10(HI))] {
  do for [m in '1 2 5'] {
    v = m * 10.0**d
    if (v >= LO && v <= HI) { set xtics add ('' v); set ytics add (sprintf('%g', v) v); ntics = ntics + 1 }
  }
}
if (ntics < 2) { set xtics autofreq; set ytics autofreq }
set key outside right top vertical samplen 2 spacing 1.1
# Top: the scatter.
set size 1, 0.64
set origin 0, 0.32
set tmargin 3
set bmargin 1
set logscale y 10
set yrange [LO : HI]
set format y '%g'
set format x ''
set ylabel 'simulated makespan (ms, sim)'
plot x with lines dt 2 lw 1 lc rgb '#606060' title 'y = x', \
     for [s = 1:NS] datadir.'/points.dat' using 1:($3 == s ? $2 : NaN):(pt($4)) \
       with points pt variable ps 1.3 lc rgb pcol(s) notitle, \
     for [s = 1:NS] NaN with points pt 7 ps 1.3 lc rgb pcol(s) title SC[s], \
     for [p = 1:NP] NaN with points pt pt(p) ps 1.3 lc rgb '#303030' title PO[p]
# Bottom: the relative error on a linear axis.
set size 1, 0.32
set origin 0, 0
set tmargin 0.5
set bmargin 3.5
unset logscale y
set yrange [-EMAX : EMAX]
set format y '%g%%'
set ytics autofreq
set xtics format '%g'
if (ntics >= 2) {
  set xtics ()
  do for [d = floor(log10(LO)) : ceil(log10(HI))] {
    do for [m in '1 2 5'] {
      v = m * 10.0**d
      if (v >= LO && v <= HI) { set xtics add (sprintf('%g', v) v) }
    }
  }
}
set xlabel sprintf('real makespan (ms, %s)', REAL)
set ylabel 'sim / real - 1'
unset key
plot 0 with lines dt 2 lw 1 lc rgb '#606060', \
     for [s = 1:NS] datadir.'/points.dat' using 1:($3 == s ? 100 * ($2 / $1 - 1) : NaN):(pt($4)) \
       with points pt variable ps 1.3 lc rgb pcol(s)
unset multiplot
