package io.salesos.planner;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One tour (a rep-day): where and when it starts and must end, its stop cap, and the stops it must keep.
 *
 * <p>{@code completed} lists customers already served before {@code startTime} (a re-plan "from where the
 * rep is now"): they are kept at the front of the planned tour, count toward {@code maxStops} and the
 * plan score, and take no more time. {@code fixedStops} are booked meetings at fixed times in this tour.
 */
public record TourSpec(
        int startLocation,
        double startTime,
        int endLocation,
        double endTime,
        int maxStops,
        List<Integer> completed,
        List<FixedStop> fixedStops) {

    public TourSpec {
        if (startLocation < 0 || endLocation < 0) {
            throw new IllegalArgumentException("locations must be >= 0");
        }
        if (!Double.isFinite(startTime) || !Double.isFinite(endTime) || startTime > endTime) {
            throw new IllegalArgumentException("need finite startTime <= endTime: " + startTime + ", " + endTime);
        }
        if (maxStops < 0) {
            throw new IllegalArgumentException("maxStops must be >= 0: " + maxStops);
        }
        completed = List.copyOf(requireNonNull(completed, "completed"));
        fixedStops = List.copyOf(requireNonNull(fixedStops, "fixedStops"));
        if (completed.size() + fixedStops.size() > maxStops) {
            throw new IllegalArgumentException("completed and fixed stops exceed maxStops " + maxStops);
        }
    }

    /** A plain tour from a depot and back with no stop cap and nothing fixed. */
    public static TourSpec roundTrip(int depot, double startTime, double endTime) {
        return new TourSpec(depot, startTime, depot, endTime, Integer.MAX_VALUE, List.of(), List.of());
    }
}
