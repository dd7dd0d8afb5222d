package io.github.edgeprune.device.verify;

import io.github.edgeprune.device.DeviceFacts;
import io.github.edgeprune.device.MemoryProfile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code verify-on-device} found, as written by {@link ReportWriter}: what ran where,
 * accuracy, latency, memory, and the verdict of each budget. Build it with {@link #builder()}.
 */
public final class VerifyReport {

    private final Instant createdAt;
    private final String model;
    private final String backend;
    private final String precision;
    private final boolean emulated;
    private final Map<String, Object> device;
    private final double map50;
    private final double map50_95;
    private final LatencyStats latency;
    private final double[] latencySamples;
    private final LatencyStats frame;
    private final double[] frameSamples;
    private final MemoryProfile memory;
    private final List<BudgetResult> budgets;
    private final String failure;
    private final double runSeconds;
    private final List<String> notes;

    private VerifyReport(Builder b) {
        this.createdAt = b.createdAt;
        this.model = b.model;
        this.backend = b.backend;
        this.precision = b.precision;
        this.emulated = b.emulated;
        this.device = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.device)); // in the order given
        this.map50 = b.map50;
        this.map50_95 = b.map50_95;
        this.latencySamples = b.latencySamples;
        this.latency = b.latency != null ? b.latency : LatencyStats.of(b.latencySamples);
        this.frameSamples = b.frameSamples;
        this.frame = b.frame != null ? b.frame : LatencyStats.of(b.frameSamples);
        this.memory = b.memory;
        this.failure = b.failure;
        this.runSeconds = b.runSeconds;
        this.notes = List.copyOf(b.notes);
        this.budgets = b.budgetResults != null ? List.copyOf(b.budgetResults)
                : b.budgets.check(map50, latency, memory == null ? Double.NaN : memory.peakMb());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding everything of this report, to change a part of it (e.g. the budgets' verdicts). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.createdAt = createdAt;
        b.model = model;
        b.backend = backend;
        b.precision = precision;
        b.emulated = emulated;
        b.device.putAll(device);
        b.map50 = map50;
        b.map50_95 = map50_95;
        b.latencySamples = latencySamples.clone();
        b.latency = latency;
        b.frameSamples = frameSamples.clone();
        b.frame = frame;
        b.memory = memory;
        b.budgetResults = budgets;
        b.failure = failure;
        b.runSeconds = runSeconds;
        b.notes.addAll(notes);
        return b;
    }

    /** True when the run succeeded and every budget was met. */
    public boolean passed() {
        return failure == null && Budgets.allPassed(budgets);
    }

    public Instant createdAt() {
        return createdAt;
    }

    public String model() {
        return model;
    }

    public String backend() {
        return backend;
    }

    /** What the verified model computes in: FP16, FP32 or INT8 (empty when unknown). */
    public String precision() {
        return precision;
    }

    public boolean emulated() {
        return emulated;
    }

    /** Device facts in display order (see {@link DeviceFacts#asMap()}), possibly empty. */
    public Map<String, Object> device() {
        return device;
    }

    public double map50() {
        return map50;
    }

    public double map50_95() {
        return map50_95;
    }

    public LatencyStats latency() {
        return latency;
    }

    public double[] latencySamples() {
        return latencySamples.clone();
    }

    public LatencyStats frame() {
        return frame;
    }

    public double[] frameSamples() {
        return frameSamples.clone();
    }

    /** Memory over the run, or null when not measured. */
    public MemoryProfile memory() {
        return memory;
    }

    public List<BudgetResult> budgets() {
        return budgets;
    }

    /** Why the run on the device failed, or null when it ran to the end. */
    public String failure() {
        return failure;
    }

    /** Wall time of the run on the device in seconds (NaN when unknown). */
    public double runSeconds() {
        return runSeconds;
    }

    public List<String> notes() {
        return notes;
    }

    /** Collects the report's content. */
    public static final class Builder {
        private Instant createdAt = Instant.now();
        private String model = "";
        private String backend = "";
        private String precision = "";
        private boolean emulated;
        private final Map<String, Object> device = new LinkedHashMap<>();
        private double map50 = Double.NaN;
        private double map50_95 = Double.NaN;
        private LatencyStats latency;
        private double[] latencySamples = new double[0];
        private LatencyStats frame;
        private double[] frameSamples = new double[0];
        private MemoryProfile memory;
        private Budgets budgets = Budgets.none();
        private List<BudgetResult> budgetResults;
        private String failure;
        private double runSeconds = Double.NaN;
        private final List<String> notes = new ArrayList<>();

        private Builder() {
        }

        public Builder createdAt(Instant at) {
            this.createdAt = at;
            return this;
        }

        /** What was verified, e.g. the IR's file name. */
        public Builder model(String model) {
            this.model = model == null ? "" : model;
            return this;
        }

        public Builder precision(String precision) {
            this.precision = precision == null ? "" : precision;
            return this;
        }

        /** openvino, onnxruntime, djl, ... */
        public Builder backend(String backend) {
            this.backend = backend == null ? "" : backend;
            return this;
        }

        /** True when the "device" was emulated (e.g. qemu) rather than real hardware. */
        public Builder emulated(boolean emulated) {
            this.emulated = emulated;
            return this;
        }

        public Builder device(DeviceFacts facts) {
            this.device.clear();
            if (facts != null) {
                this.device.putAll(facts.asMap());
            }
            return this;
        }

        /** Extra or replacement device facts (shown in order of insertion). */
        public Builder deviceFact(String key, Object value) {
            this.device.put(key, value == null ? "" : value);
            return this;
        }

        public Builder map50(double map50) {
            this.map50 = map50;
            return this;
        }

        public Builder map50_95(double map50_95) {
            this.map50_95 = map50_95;
            return this;
        }

        /** Per-inference latencies in ms (statistics and histogram come from them). */
        public Builder latencySamples(double[] ms) {
            this.latencySamples = ms.clone();
            this.latency = null;
            return this;
        }

        /**
         * Statistics the caller already computed (from the samples, if it gave them: call after
         * {@link #latencySamples}); without them they are computed from the samples.
         */
        public Builder latency(LatencyStats stats) {
            this.latency = stats;
            return this;
        }

        /** Per-frame times in ms (pre-processing + inference + post-processing). */
        public Builder frameSamples(double[] ms) {
            this.frameSamples = ms.clone();
            this.frame = null;
            return this;
        }

        /** Like {@link #latency(LatencyStats)}, for the frame times. */
        public Builder frame(LatencyStats stats) {
            this.frame = stats;
            return this;
        }

        public Builder memory(MemoryProfile memory) {
            this.memory = memory;
            return this;
        }

        /** The budgets; checked against the measurements when the report is built. */
        public Builder budgets(Budgets budgets) {
            this.budgets = budgets == null ? Budgets.none() : budgets;
            this.budgetResults = null;
            return this;
        }

        /** Results already checked elsewhere. */
        public Builder budgetResults(List<BudgetResult> results) {
            this.budgetResults = results;
            return this;
        }

        public Builder failure(String failure) {
            this.failure = failure;
            return this;
        }

        public Builder runSeconds(double seconds) {
            this.runSeconds = seconds;
            return this;
        }

        public Builder note(String note) {
            this.notes.add(note);
            return this;
        }

        public VerifyReport build() {
            return new VerifyReport(this);
        }
    }
}
