package io.salesos.planner;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A team orienteering problem with time windows: customers, tours and the travel times between locations.
 *
 * <p>{@code ticksPerUnit} is the time resolution the solver computes in: all times are converted once to
 * integer ticks (travel and service rounded up, latest times rounded down, each snapped to the nearest tick
 * when within rounding noise), so feasibility is decided by exact integer arithmetic and a plan the solver
 * accepts is feasible for the real-valued input. Use e.g. 1 for seconds, 10 for data truncated to tenths.
 */
public record PlanningProblem(TravelTimes travelTimes, List<Customer> customers, List<TourSpec> tours, double ticksPerUnit) {

    public PlanningProblem {
        requireNonNull(travelTimes, "travelTimes");
        customers = List.copyOf(requireNonNull(customers, "customers"));
        tours = List.copyOf(requireNonNull(tours, "tours"));
        if (tours.isEmpty()) {
            throw new IllegalArgumentException("at least one tour is required");
        }
        if (!(ticksPerUnit > 0) || !Double.isFinite(ticksPerUnit)) {
            throw new IllegalArgumentException("ticksPerUnit must be finite and > 0: " + ticksPerUnit);
        }
        int size = travelTimes.size();
        Set<Integer> ids = new HashSet<>();
        for (Customer c : customers) {
            if (c.id() >= size) {
                throw new IllegalArgumentException("customer id " + c.id() + " outside travel matrix of size " + size);
            }
            if (!ids.add(c.id())) {
                throw new IllegalArgumentException("duplicate customer id " + c.id());
            }
        }
        Set<Integer> pinned = new HashSet<>();
        for (TourSpec t : tours) {
            if (t.startLocation() >= size || t.endLocation() >= size) {
                throw new IllegalArgumentException("tour location outside travel matrix of size " + size);
            }
            for (int id : t.completed()) {
                requireKnown(ids, pinned, id);
            }
            for (FixedStop f : t.fixedStops()) {
                requireKnown(ids, pinned, f.customerId());
            }
        }
    }

    /** The same team of identical round trips from one depot, as in the OPTW/TOPTW benchmarks. */
    public static PlanningProblem identicalTours(TravelTimes travelTimes, List<Customer> customers, int depot,
                                                 double startTime, double endTime, int tourCount, double ticksPerUnit) {
        if (tourCount < 1) {
            throw new IllegalArgumentException("tourCount must be >= 1: " + tourCount);
        }
        List<TourSpec> tours = java.util.Collections.nCopies(tourCount, TourSpec.roundTrip(depot, startTime, endTime));
        return new PlanningProblem(travelTimes, customers, tours, ticksPerUnit);
    }

    private static void requireKnown(Set<Integer> ids, Set<Integer> pinned, int id) {
        if (!ids.contains(id)) {
            throw new IllegalArgumentException("completed/fixed stop " + id + " is not a customer");
        }
        if (!pinned.add(id)) {
            throw new IllegalArgumentException("customer " + id + " is completed/fixed more than once");
        }
    }
}
