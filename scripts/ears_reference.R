# The reference alarms for tests/surveillance/test_ears.py: R's surveillance::earsC over the
# series in tests/data/surveillance/series.csv, each method with its default alpha and with
# alpha 0.05. Run: Rscript scripts/ears_reference.R (Debian: apt-get install r-cran-surveillance).
suppressMessages(library(surveillance))
y <- read.csv("tests/data/surveillance/series.csv")$count
out <- NULL
for (method in c("C1", "C2", "C3")) {
  for (alpha in list(NULL, 0.05)) {
    control <- list(method = method, baseline = 7, minSigma = 0)
    if (!is.null(alpha)) control$alpha <- alpha
    judged <- earsC(sts(observed = y), control = control)
    out <- rbind(out, data.frame(
      method = method, alpha = if (is.null(alpha)) "default" else alpha,
      index = judged@control$range - 1, observed = as.vector(observed(judged)),
      threshold = sprintf("%.10f", as.vector(upperbound(judged))),
      alarm = as.vector(alarms(judged))))
  }
}
write.csv(out, "tests/data/surveillance/ears_r.csv", row.names = FALSE, quote = FALSE)
