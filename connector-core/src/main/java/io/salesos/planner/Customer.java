package io.salesos.planner;

/**
 * A customer that may be visited: its id is also its location index in the {@link TravelTimes}.
 *
 * <p>Score is a {@code long} in the caller's smallest unit (e.g. cents of expected revenue): sums of
 * longs are exact and order-independent, so comparisons between plans never flip on rounding and
 * the solver stays bit-for-bit deterministic. {@code close} is the latest <em>start</em> of service.
 */
public record Customer(int id, long score, double serviceTime, double open, double close) {

    public Customer {
        if (id < 0) {
            throw new IllegalArgumentException("id must be >= 0: " + id);
        }
        if (score < 0) {
            throw new IllegalArgumentException("score must be >= 0: " + score);
        }
        if (!Double.isFinite(serviceTime) || serviceTime < 0) {
            throw new IllegalArgumentException("serviceTime must be finite and >= 0: " + serviceTime);
        }
        if (Double.isNaN(open) || Double.isNaN(close) || open > close) {
            throw new IllegalArgumentException("window must satisfy open <= close: [" + open + ", " + close + "]");
        }
    }
}
