package io.salesos.planner;

/**
 * A booked meeting: the customer is served in its tour with service starting exactly at {@code startTime}
 * (which must be a whole number of the problem's ticks, e.g. whole seconds at one tick per second).
 */
public record FixedStop(int customerId, double startTime) {

    public FixedStop {
        if (customerId < 0) {
            throw new IllegalArgumentException("customerId must be >= 0: " + customerId);
        }
        if (!Double.isFinite(startTime)) {
            throw new IllegalArgumentException("startTime must be finite: " + startTime);
        }
    }
}
