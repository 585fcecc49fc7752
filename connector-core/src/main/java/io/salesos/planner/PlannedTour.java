package io.salesos.planner;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/** One planned tour: the completed stops kept at its front, then the scheduled visits, then the return time. */
public record PlannedTour(List<Integer> completed, List<PlannedVisit> visits, double returnTime) {

    public PlannedTour {
        completed = List.copyOf(requireNonNull(completed, "completed"));
        visits = List.copyOf(requireNonNull(visits, "visits"));
    }

    /** Customer ids in visit order, completed stops first. */
    public List<Integer> customerIds() {
        List<Integer> ids = new ArrayList<>(completed);
        visits.forEach(v -> ids.add(v.customerId()));
        return List.copyOf(ids);
    }
}
