package io.salesos.planner;

/** One planned visit: when the rep arrives and when service starts (later if the customer opens later). */
public record PlannedVisit(int customerId, double arrival, double serviceStart, boolean fixed) {
}
