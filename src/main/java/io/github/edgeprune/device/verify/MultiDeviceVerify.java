package io.github.edgeprune.device.verify;

import io.github.edgeprune.util.Log;
import io.github.edgeprune.util.Parallel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * verify-on-device on several devices at once: the same model verified on each, at most
 * {@code parallelism} at a time, each device's reports in its own folder, and one summary
 * ({@link DevicesReport}) with a section per device. A device that cannot be reached or whose run
 * fails does not stop the others: its folder gets a report saying why, and the whole verification
 * fails. The build passes only when every device passes.
 */
public final class MultiDeviceVerify {

    /** Verifies the model on one device and writes that device's reports into {@code reportDir}. */
    @FunctionalInterface
    public interface DeviceRun {
        VerifyJob.Outcome verify(String spec, Path reportDir, Log log) throws IOException;
    }

    /**
     * One device's result.
     *
     * @param outcome null when the run failed
     * @param error why the device could not be verified (null when it ran)
     */
    public record DeviceResult(DeviceList.Entry device, VerifyJob.Outcome outcome, String error, Path reportDir) {

        public boolean passed() {
            return error == null && outcome.passed();
        }

        /** "PASSED", "FAILED" (a budget missed) or "ERROR" (not verified). */
        public String verdict() {
            return error != null ? "ERROR" : outcome.passed() ? "PASSED" : "FAILED";
        }
    }

    /** Every device's result, in the order the devices were given, and the summary files. */
    public record Outcome(List<DeviceResult> devices, DevicesReport.Written files) {

        public boolean passed() {
            return devices.stream().allMatch(DeviceResult::passed);
        }

        /** One paragraph per device that did not pass (null when all passed). */
        public String failureMessage() {
            if (passed()) {
                return null;
            }
            long bad = devices.stream().filter(d -> !d.passed()).count();
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%d of %d devices did not pass:", bad,
                    devices.size()));
            for (DeviceResult d : devices) {
                if (d.passed()) {
                    continue;
                }
                sb.append("\n- ").append(d.device().spec()).append(": ");
                if (d.error() != null) {
                    sb.append("not verified: ").append(d.error());
                } else {
                    sb.append("a budget was missed\n").append(Budgets.table(d.outcome().budgets()).stripTrailing());
                }
            }
            return sb.toString();
        }
    }

    private MultiDeviceVerify() {
    }

    /**
     * @param model the IR being verified (for the summary and for the report of a device that failed)
     * @param budgets the budgets each device is held to (a failed device's report shows them as not measured)
     */
    public static Outcome run(List<DeviceList.Entry> devices, int parallelism, Path reportRoot, String model,
            Budgets budgets, DeviceRun run, Log log) throws IOException {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("prune.devices names no device");
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("prune.deviceParallelism must be at least 1, got " + parallelism);
        }
        int threads = Math.min(parallelism, devices.size());
        log.info(String.format(Locale.ROOT, "Verifying on %d devices, %d at a time: %s", devices.size(), threads,
                String.join(", ", devices.stream().map(DeviceList.Entry::spec).toList())));
        AtomicInteger finished = new AtomicInteger();
        List<DeviceResult> results = Parallel.map(devices, threads, "prune-verify-device", d -> {
            DeviceResult r = verifyOne(d, reportRoot.resolve(d.folder()), model, budgets, run,
                    Log.prefixed(log, "[" + d.spec() + "] "));
            log.info(String.format(Locale.ROOT, "[%s] %s (%d of %d devices done)", d.spec(), r.verdict(),
                    finished.incrementAndGet(), devices.size()));
            return r;
        });
        DevicesReport.Written files = DevicesReport.write(reportRoot, model, budgets, results);
        Outcome outcome = new Outcome(results, files);
        log.info(DevicesReport.table(results));
        log.info("Report: " + files.html());
        return outcome;
    }

    /** Runs one device; a device that fails gets a report saying why instead of ending the others' runs. */
    private static DeviceResult verifyOne(DeviceList.Entry d, Path dir, String model, Budgets budgets, DeviceRun run,
            Log log) throws IOException {
        try {
            return new DeviceResult(d, run.verify(d.spec(), dir, log), null, dir);
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage() : e.toString();
            log.warn("not verified: " + why);
            VerifyReport failed = VerifyReport.builder().model(model).deviceFact("device", d.spec()).budgets(budgets)
                    .failure(why).build();
            ReportWriter.write(dir, failed);
            return new DeviceResult(d, null, why, dir);
        }
    }
}
