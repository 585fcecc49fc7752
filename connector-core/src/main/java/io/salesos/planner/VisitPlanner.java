package io.salesos.planner;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plans visits for a team of tours: the solver entry point; {@link #bestSoFar()} may be read from any thread.
 */
public final class VisitPlanner {

    private final CompiledProblem problem;
    private final SolverSettings settings;
    private final SearchParameters parameters;
    private volatile Plan best;
    private volatile boolean cancelled;

    public VisitPlanner(PlanningProblem problem, SolverSettings settings) {
        this(problem, settings, SearchParameters.defaults());
    }

    VisitPlanner(PlanningProblem problem, SolverSettings settings, SearchParameters parameters) {
        this.problem = new CompiledProblem(requireNonNull(problem, "problem"));
        this.settings = requireNonNull(settings, "settings");
        this.parameters = requireNonNull(parameters, "parameters");
        // Fail fast on unreachable booked meetings rather than inside solve().
        new Solution(this.problem);
    }

    /** Solves with the given settings; convenience for {@code new VisitPlanner(problem, settings).solve()}. */
    public static SolveResult solve(PlanningProblem problem, SolverSettings settings) {
        return new VisitPlanner(problem, settings).solve();
    }

    /** Runs the search until the iteration or time limit or {@link #cancel()}, and returns the best plan. */
    public SolveResult solve() {
        long t0 = System.nanoTime();
        double limitNanos = settings.maxSeconds() * 1e9;
        long[] bestIteration = {0};
        double[] bestSeconds = {0};
        AnnealedLocalSearch search = new AnnealedLocalSearch(problem, parameters, settings.seed());
        Solution incumbent = new Solution(problem);
        long iterations = search.run(settings.maxIterations(),
                () -> cancelled || System.nanoTime() - t0 >= limitNanos,
                (s, iteration) -> {
                    best = toPlan(s);
                    bestIteration[0] = iteration;
                    bestSeconds[0] = (System.nanoTime() - t0) / 1e9;
                },
                incumbent);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new SolveResult(best, iterations, bestIteration[0], bestSeconds[0], seconds);
    }

    /** The best plan found so far, empty before the first construction finishes. */
    public Optional<Plan> bestSoFar() {
        return Optional.ofNullable(best);
    }

    /** Asks a running {@link #solve()} to stop after its current iteration. */
    public void cancel() {
        cancelled = true;
    }

    private Plan toPlan(Solution s) {
        TickClock clock = problem.clock;
        List<PlannedTour> tours = new ArrayList<>();
        for (int k = 0; k < problem.m; k++) {
            Route r = s.routes[k];
            List<PlannedVisit> visits = new ArrayList<>();
            for (int q = 1; q <= r.len; q++) {
                int c = r.node[q];
                visits.add(new PlannedVisit(problem.customerId[c], clock.units(r.arr[q]), clock.units(r.start[q]),
                        problem.lockedTour[c] >= 0));
            }
            TourSpec spec = problem.source.tours().get(k);
            tours.add(new PlannedTour(spec.completed(), visits, clock.units(r.arr[r.len + 1])));
        }
        return new Plan(tours, s.score + problem.completedScore);
    }
}
