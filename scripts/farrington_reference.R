# The reference for tests/surveillance/test_farrington.py: R's surveillance::farringtonFlexible
# over the weekly series in tests/data/surveillance/weekly.csv (weeks dated by their Monday)
# under four settings. Run: Rscript scripts/farrington_reference.R
# (Debian: apt-get install r-cran-surveillance).
suppressMessages(library(surveillance))
weekly <- read.csv("tests/data/surveillance/weekly.csv")
dates <- as.Date(weekly$date)
series <- sts(observed = weekly$count, epoch = as.numeric(dates), epochAsDate = TRUE, freq = 52)
first <- 52 * 3 + 3 + 5  # the first week whose years back are all in the series, and then some
settings <- list(
  noufaily = list(b = 3, w = 3, noPeriods = 10, pastWeeksNotIncluded = 26,
                  weightsThreshold = 2.58, thresholdMethod = "nbPlugin", alpha = 0.01),
  farrington = list(b = 3, w = 3, noPeriods = 1, pastWeeksNotIncluded = 3,
                    weightsThreshold = 1, thresholdMethod = "delta", alpha = 0.01),
  delta_periods = list(b = 3, w = 2, noPeriods = 4, pastWeeksNotIncluded = 26,
                       weightsThreshold = 2.58, thresholdMethod = "delta", alpha = 0.05),
  no_trend = list(b = 3, w = 3, noPeriods = 10, pastWeeksNotIncluded = 26, trend = FALSE,
                  weightsThreshold = 2.58, thresholdMethod = "nbPlugin", alpha = 0.05,
                  limit54 = c(0, 4))
)
out <- NULL
for (name in names(settings)) {
  control <- modifyList(settings[[name]], list(range = first:length(dates), glmWarnings = FALSE))
  judged <- farringtonFlexible(series, control = control)
  out <- rbind(out, data.frame(
    settings = name, index = control$range - 1, date = format(dates[control$range]),
    observed = as.vector(observed(judged)),
    expected = sprintf("%.10f", as.vector(judged@control$expected)),
    threshold = sprintf("%.10f", as.vector(upperbound(judged))),
    alarm = as.vector(alarms(judged))))
}
write.csv(out, "tests/data/surveillance/farrington_r.csv", row.names = FALSE, quote = FALSE)
