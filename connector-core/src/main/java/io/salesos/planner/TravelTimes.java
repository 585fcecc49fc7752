package io.salesos.planner;

/** Travel time between two locations, in the caller's time unit, indexed by location number. */
public interface TravelTimes {

    /** Number of locations; valid indexes are {@code 0 .. size() - 1}. */
    int size();

    /** Travel time from {@code from} to {@code to}; must be finite and non-negative. */
    double time(int from, int to);
}
