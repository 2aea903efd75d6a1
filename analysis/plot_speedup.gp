# plot_speedup.gp - heatmap of the speedup over the baseline policy, rows =
# scenarios (x backend), columns = policies, value printed in each cell.
# Data: cells.dat (x y speedup), labels.dat (x y "speedup" "CI or note").
# Vars: NR, RW, NP, PO, CBMIN, CBMAX, TITLE, BASELINE.
load scriptdir.'/plot_style.gp'
set title TITLE font ',11'
set xrange [-0.5 : NP - 0.5]
set yrange [NR - 0.5 : -0.5]
set xtics () scale 0
do for [p = 1:NP] { set xtics add (PO[p] p - 1) }
set ytics () scale 0
do for [r = 1:NR] { set ytics add (RW[r] r - 1) }
unset x2tics
set lmargin LMARGIN
unset grid
set border 0
set xlabel 'policy'
set palette defined (0 '#D6604D', 0.5 '#F7F7F7', 1 '#4393C3')
set cbrange [CBMIN : CBMAX]
set cblabel sprintf('speedup over %s (x)', BASELINE)
set cbtics format '%.2f'
set style fill solid 1.0 border lc rgb 'white'
unset key
plot datadir.'/cells.dat' using 1:2:(0.5):(0.5):3 with boxxyerror fc palette, \
     datadir.'/labels.dat' using 1:($2 - 0.12):3 with labels font ',10' tc rgb '#101010', \
     datadir.'/labels.dat' using 1:($2 + 0.22):4 with labels font ',8' tc rgb '#404040'
