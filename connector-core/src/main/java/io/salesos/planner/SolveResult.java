package io.salesos.planner;

import static java.util.Objects.requireNonNull;

/** The best plan of a run plus when it was found (seconds and iteration) and how long the run took. */
public record SolveResult(Plan plan, long iterations, long iterationOfBest, double secondsToBest, double seconds) {

    public SolveResult {
        requireNonNull(plan, "plan");
    }
}
