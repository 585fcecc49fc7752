package io.salesos.planner;

/** Converts caller times to integer ticks, rounding every value in the direction that keeps plans feasible. */
record TickClock(double ticksPerUnit) {

    /** Far beyond any real schedule yet safe to add a few of without overflowing a long. */
    static final long HORIZON = 1L << 55;

    TickClock {
        if (!(ticksPerUnit > 0) || !Double.isFinite(ticksPerUnit)) {
            throw new IllegalArgumentException("ticksPerUnit must be finite and > 0: " + ticksPerUnit);
        }
    }

    /** For durations and earliest times: never under-estimates. */
    long up(double value) {
        double x = value * ticksPerUnit;
        double r = Math.rint(x);
        return clamp(isNoise(x, r) ? r : Math.ceil(x));
    }

    /** For latest times: never over-estimates. */
    long down(double value) {
        double x = value * ticksPerUnit;
        double r = Math.rint(x);
        return clamp(isNoise(x, r) ? r : Math.floor(x));
    }

    double units(long ticks) {
        return ticks / ticksPerUnit;
    }

    // 0.1 * 10 is 1.0000000000000002 in doubles: such noise must not cost a whole tick.
    private static boolean isNoise(double x, double rounded) {
        return Math.abs(x - rounded) <= 1e-6 + 8 * Math.ulp(x);
    }

    private static long clamp(double x) {
        if (x >= HORIZON) {
            return HORIZON;
        }
        if (x <= -HORIZON) {
            return -HORIZON;
        }
        return (long) x;
    }
}
