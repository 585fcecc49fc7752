package io.salesos.planner;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A solution: one planned tour per {@link TourSpec}, in the same order, and the total collected score. */
public record Plan(List<PlannedTour> tours, long score) {

    public Plan {
        tours = List.copyOf(requireNonNull(tours, "tours"));
    }

    /** Customer ids per tour in visit order (completed stops first). */
    public List<List<Integer>> customerIds() {
        return tours.stream().map(PlannedTour::customerIds).toList();
    }
}
