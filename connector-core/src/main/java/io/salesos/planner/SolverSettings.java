package io.salesos.planner;

/**
 * Stop criteria and seed; for a fixed seed and iteration budget (and no time limit hit) the plan is bit-identical.
 */
public record SolverSettings(long seed, long maxIterations, double maxSeconds) {

    public SolverSettings {
        if (maxIterations < 0) {
            throw new IllegalArgumentException("maxIterations must be >= 0: " + maxIterations);
        }
        if (Double.isNaN(maxSeconds) || maxSeconds <= 0) {
            throw new IllegalArgumentException("maxSeconds must be > 0: " + maxSeconds);
        }
        if (maxIterations == Long.MAX_VALUE && Double.isInfinite(maxSeconds)) {
            throw new IllegalArgumentException("set an iteration or a time limit");
        }
    }

    /** Deterministic run: stops after exactly {@code iterations} iterations. */
    public static SolverSettings iterations(long seed, long iterations) {
        return new SolverSettings(seed, iterations, Double.POSITIVE_INFINITY);
    }

    /** Anytime run: stops after {@code seconds} of wall-clock time. */
    public static SolverSettings seconds(long seed, double seconds) {
        return new SolverSettings(seed, Long.MAX_VALUE, seconds);
    }
}
