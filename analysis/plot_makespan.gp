# plot_makespan.gp - median makespan per policy, one panel per scenario, with
# the 95% bootstrap CI of the median as error bars and the baseline's median
# as a dashed line. Data: m_S_B.dat (policy_index median lo hi runs) per
# scenario S and backend B. Vars: NS, SC, NP, PO, NB, BK, BL (baseline
# medians), YLO, YHI (data range per panel), ROWS, COLS, TITLE.
load scriptdir.'/plot_style.gp'
# Margins in pixels, whatever the size: 78 on top for the title (110 with a
# key of backends), 80 at the bottom for the slanted policy names.
top = 1 - (NB > 1 ? 110.0 : 78.0) / H
set multiplot layout ROWS, COLS title TITLE font ',11' margins 0.07, 0.98, 80.0 / H, top spacing 0.07, 120.0 / H
set xrange [-0.6 : NP - 0.4]
set xtics () rotate by 35 right
do for [p = 1:NP] { set xtics add (PO[p] p - 1) }
set ytics format '%g'
set ylabel 'makespan (ms)'
set offsets 0, 0, graph 0.08, graph 0.08
off(b) = NB > 1 ? (b - (NB + 1) / 2.0) * 0.22 : 0
# Three to five tics per panel: the smallest step of 1, 2 or 5 times a power
# of ten that cuts the data range into at most four.
nice(r) = (e = 10**floor(log10(r / 4.0)), f = r / 4.0 / e, (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e)
do for [s = 1:NS] {
  set title SC[s] font ',11'
  if (YHI[s] > YLO[s]) { set ytics nice(YHI[s] - YLO[s]) } else { set ytics autofreq }
  unset arrow
  do for [b = 1:NB] {
    y = BL[(s - 1) * NB + b]
    if (y == y) { set arrow from graph 0, first y to graph 1, first y nohead dt 2 lw 1 lc rgb pcol(b) }
  }
  if (NB > 1 && s == 1) { set key at screen 0.5, screen 1 - 48.0 / H center top horizontal samplen 2 } else { unset key }
  plot for [b = 1:NB] sprintf('%s/m_%d_%d.dat', datadir, s, b) \
       using ($1 + off(b)):2:3:4 with yerrorbars pt 7 ps 0.9 lw 1.5 lc rgb pcol(b) title BK[b]
}
unset multiplot
