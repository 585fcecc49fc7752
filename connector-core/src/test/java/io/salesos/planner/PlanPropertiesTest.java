package io.salesos.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class PlanPropertiesTest {

    @Property(tries = 100)
    void everyPlanRespectsWindowsBudgetsStopCapsAndFixedStops(@ForAll @LongRange(min = 0, max = 1_000_000) long instanceSeed,
                                                            @ForAll @IntRange(min = 1, max = 3) int tours,
                                                            @ForAll @IntRange(min = 3, max = 30) int customers,
                                                            @ForAll boolean tenths) {
        PlanningProblem problem = randomProblem(new Random(instanceSeed), tours, customers, tenths ? 10 : 1);
        SolveResult result = VisitPlanner.solve(problem, SolverSettings.iterations(instanceSeed, 40));

        assertThat(IndependentChecker.violations(problem, result.plan())).isEmpty();
    }

    @Example
    void bookedMeetingsPlacedAtTheirEarliestStayReachableAfterRounding() {
        // once an unreachable instance: whole-tick rounding of travel and service added a tick to each leg
        PlanningProblem problem = randomProblem(new Random(5283), 2, 12, 1);
        SolveResult result = VisitPlanner.solve(problem, SolverSettings.iterations(5283, 40));
        assertThat(IndependentChecker.violations(problem, result.plan())).isEmpty();
    }

    /**
     * Random coordinates and windows with non-integral Euclidean times; each tour gets a few completed stops,
     * up to two booked meetings placed so that they are reachable, and a random stop cap.
     */
    static PlanningProblem randomProblem(Random rnd, int tourCount, int customerCount, double ticksPerUnit) {
        int locations = customerCount + 2 * tourCount;
        double[][] xy = new double[locations][2];
        for (double[] p : xy) {
            p[0] = rnd.nextDouble() * 100;
            p[1] = rnd.nextDouble() * 100;
        }
        double[][] matrix = new double[locations][locations];
        for (int i = 0; i < locations; i++) {
            for (int j = 0; j < locations; j++) {
                matrix[i][j] = Math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]) * (1 + 0.2 * rnd.nextDouble());
            }
        }
        MatrixTravelTimes travel = new MatrixTravelTimes(matrix);
        List<Customer> customers = new ArrayList<>();
        for (int i = 0; i < customerCount; i++) {
            double open = rnd.nextInt(400);
            double close = open + rnd.nextDouble() * 300;
            customers.add(new Customer(i, 1 + rnd.nextInt(50), rnd.nextInt(3) * 5.5, open, close));
        }
        Set<Integer> used = new HashSet<>();
        List<TourSpec> specs = new ArrayList<>();
        for (int k = 0; k < tourCount; k++) {
            int start = customerCount + 2 * k;
            int end = rnd.nextBoolean() ? start : start + 1;
            double startTime = rnd.nextInt(100);
            List<Integer> completed = new ArrayList<>();
            for (int c = rnd.nextInt(3); c > 0; c--) {
                int id = rnd.nextInt(customerCount);
                if (used.add(id)) {
                    completed.add(id);
                }
            }
            List<FixedStop> fixed = new ArrayList<>();
            double time = startTime;
            int at = start;
            for (int f = rnd.nextInt(3); f > 0; f--) {
                int id = rnd.nextInt(customerCount);
                if (!used.add(id)) {
                    continue;
                }
                // +2: the solver rounds travel and service up to whole ticks each, which can add one each
                double when = Math.ceil(time + matrix[at][id]) + 2 + rnd.nextInt(60);
                fixed.add(new FixedStop(id, when));
                time = when + customers.get(id).serviceTime();
                at = id;
            }
            double endTime = Math.ceil(time + matrix[at][end]) + 2 + rnd.nextInt(400);
            int maxStops = completed.size() + fixed.size() + rnd.nextInt(8);
            specs.add(new TourSpec(start, startTime, end, endTime, maxStops, completed, fixed));
        }
        return new PlanningProblem(travel, customers, specs, ticksPerUnit);
    }
}
