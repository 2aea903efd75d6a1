# plot_style.gp - the look shared by the aatgs plot_*.gp scripts (loaded by each).
# The terminal, size, output file and the variables datadir and scriptdir are
# set by `aatgs plot` before a script runs; the script loads datadir/vars.gp.
set border 3 lw 1 lc rgb '#505050'
set tics nomirror textcolor rgb '#303030'
set grid lw 1 lc rgb '#e4e4e4'
set key noenhanced textcolor rgb '#202020'
set title noenhanced
# Series colors (Okabe-Ito, readable by color-blind readers; wine for its
# yellow, too pale on white), by index.
array PCOL[8] = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#882255', '#000000']
# Task-type colors (ColorBrewer Set1 + Dark2), by index; they repeat after 14.
array TCOL[14] = ['#377EB8', '#E41A1C', '#4DAF4A', '#984EA3', '#FF7F00', '#A65628', '#F781BF', \
                  '#999999', '#1B9E77', '#D95F02', '#7570B3', '#E7298A', '#66A61E', '#E6AB02']
pcol(i) = PCOL[(i - 1) % 8 + 1]
tcol(i) = TCOL[(i - 1) % 14 + 1]
