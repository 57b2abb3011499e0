# R's alarms over the evaluation's series (fangkong/surveillance/evaluation.py), for
# scripts/compare_with_r.py and tests/surveillance/test_evaluation.py: earsC C1, C2, C3 over
# each series' daily counts and farringtonFlexible (Noufaily's settings) over its weeks, the
# last year judged. Reads DIR/daily.csv (series,index,count) and DIR/weekly.csv
# (series,index,date,count); writes DIR/r_alarms.csv (series,method,index) of the alarms.
# Run: Rscript scripts/evaluation_reference.R DIR   (Debian: apt-get install r-cran-surveillance)
suppressMessages(library(surveillance))
dir <- commandArgs(trailingOnly = TRUE)[1]
daily <- read.csv(file.path(dir, "daily.csv"))
weekly <- read.csv(file.path(dir, "weekly.csv"))
judged_days <- 364
judged_weeks <- 52
out <- NULL
for (s in unique(daily$series)) {
  y <- daily$count[daily$series == s]
  range <- (length(y) - judged_days + 1):length(y)
  for (method in c("C1", "C2", "C3")) {
    found <- earsC(sts(observed = y), control = list(method = method, baseline = 7,
                                                     minSigma = 0, range = range))
    hit <- range[which(as.vector(alarms(found)))] - 1
    if (length(hit)) out <- rbind(out, data.frame(series = s, method = method, index = hit))
  }
  w <- weekly[weekly$series == s, ]
  dates <- as.Date(w$date)
  weeks <- sts(observed = w$count, epoch = as.numeric(dates), epochAsDate = TRUE, freq = 52)
  wrange <- (nrow(w) - judged_weeks + 1):nrow(w)
  found <- farringtonFlexible(weeks, control = list(
    range = wrange, b = 3, w = 3, noPeriods = 10, pastWeeksNotIncluded = 26,
    weightsThreshold = 2.58, thresholdMethod = "nbPlugin", alpha = 0.01, glmWarnings = FALSE))
  hit <- wrange[which(as.vector(alarms(found)))] - 1
  if (length(hit)) out <- rbind(out, data.frame(series = s, method = "farrington", index = hit))
}
write.csv(out, file.path(dir, "r_alarms.csv"), row.names = FALSE, quote = FALSE)
