package io.salesos.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlannerStoriesTest {

    @Test
    void sameSeedAndIterationBudgetGiveIdenticalTours() {
        PlanningProblem problem = PlanPropertiesTest.randomProblem(new Random(42), 3, 60, 10);

        Plan first = VisitPlanner.solve(problem, SolverSettings.iterations(7, 300)).plan();
        Plan second = VisitPlanner.solve(problem, SolverSettings.iterations(7, 300)).plan();

        assertThat(second.customerIds()).isEqualTo(first.customerIds());
        assertThat(second).isEqualTo(first);
    }

    @Test
    void oneValuableFarCustomerBeatsThreeSmallNearOnes() {
        // Depot 0 at the origin; customers 1..3 one unit away on the far side, customer 4 forty units away.
        double[][] xy = {{0, 0}, {-1, 0}, {0, 1}, {0, -1}, {40, 0}};
        PlanningProblem problem = PlanningProblem.identicalTours(euclidean(xy), List.of(
                new Customer(1, 10, 5, 0, 1000),
                new Customer(2, 10, 5, 0, 1000),
                new Customer(3, 10, 5, 0, 1000),
                new Customer(4, 100, 5, 0, 1000)), 0, 0, 90, 1, 1);

        Plan plan = VisitPlanner.solve(problem, SolverSettings.iterations(1, 50)).plan();

        // 40 out + 5 service + 40 back = 85 fits in 90; adding any near one does not.
        assertThat(plan.customerIds()).containsExactly(List.of(4));
        assertThat(plan.score()).isEqualTo(100);
    }

    @Test
    void replanFromMidDayKeepsCompletedStopsAndBookedMeetingAndFillsTheRest() {
        // Locations: 0 office, 1..6 customers on a line, 7 where the rep is now.
        double[][] xy = {{0, 0}, {10, 0}, {20, 0}, {30, 0}, {40, 0}, {50, 0}, {60, 0}, {25, 5}};
        List<Customer> customers = List.of(
                new Customer(1, 10, 10, 0, 480),
                new Customer(2, 10, 10, 0, 480),
                new Customer(3, 30, 10, 0, 480),
                new Customer(4, 30, 10, 0, 480),
                new Customer(5, 30, 10, 0, 480),
                new Customer(6, 30, 10, 0, 480));
        TourSpec now = new TourSpec(7, 240, 0, 480, 6, List.of(1, 2), List.of(new FixedStop(5, 300)));
        PlanningProblem problem = new PlanningProblem(euclidean(xy), customers, List.of(now), 1);

        Plan plan = VisitPlanner.solve(problem, SolverSettings.iterations(3, 100)).plan();

        List<Integer> ids = plan.customerIds().get(0);
        assertThat(ids.subList(0, 2)).containsExactly(1, 2);
        assertThat(ids).contains(5).contains(3, 4, 6).hasSize(6);
        PlannedVisit meeting = plan.tours().get(0).visits().stream().filter(v -> v.customerId() == 5).findFirst().orElseThrow();
        assertThat(meeting.serviceStart()).isEqualTo(300.0);
        assertThat(meeting.fixed()).isTrue();
        assertThat(plan.tours().get(0).visits()).allSatisfy(v -> assertThat(v.arrival()).isGreaterThanOrEqualTo(240));
        assertThat(plan.score()).isEqualTo(140);
        assertThat(IndependentChecker.violations(problem, plan)).isEmpty();
    }

    @Test
    void unreachableBookedMeetingIsRejectedUpFront() {
        double[][] xy = {{0, 0}, {100, 0}};
        TourSpec tour = new TourSpec(0, 0, 0, 500, 5, List.of(), List.of(new FixedStop(1, 50)));
        PlanningProblem problem = new PlanningProblem(euclidean(xy), List.of(new Customer(1, 5, 0, 0, 500)), List.of(tour), 1);

        assertThatThrownBy(() -> new VisitPlanner(problem, SolverSettings.iterations(1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fixed stops");
    }

    @Test
    void bestSoFarIsAvailableAfterSolve() {
        PlanningProblem problem = PlanPropertiesTest.randomProblem(new Random(5), 2, 20, 1);
        VisitPlanner planner = new VisitPlanner(problem, SolverSettings.seconds(1, 0.2));

        SolveResult result = planner.solve();

        assertThat(planner.bestSoFar()).contains(result.plan());
        assertThat(result.seconds()).isLessThan(5);
    }

    static TravelTimes euclidean(double[][] xy) {
        double[][] m = new double[xy.length][xy.length];
        for (int i = 0; i < xy.length; i++) {
            for (int j = 0; j < xy.length; j++) {
                m[i][j] = Math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]);
            }
        }
        return new MatrixTravelTimes(m);
    }
}
