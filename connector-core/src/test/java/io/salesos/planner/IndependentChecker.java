package io.salesos.planner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Re-derives the schedule of a plan from the raw problem with plain double arithmetic, ignoring everything
 * the solver reports about times; returns the list of violations (empty when the plan is valid).
 */
final class IndependentChecker {

    private static final double EPS = 1e-9;

    private IndependentChecker() {
    }

    static List<String> violations(PlanningProblem problem, Plan plan) {
        List<String> errors = new ArrayList<>();
        Map<Integer, Customer> byId = new HashMap<>();
        problem.customers().forEach(c -> byId.put(c.id(), c));
        if (plan.tours().size() != problem.tours().size()) {
            errors.add("tour count " + plan.tours().size() + " != " + problem.tours().size());
            return errors;
        }
        Set<Integer> seen = new HashSet<>();
        long score = 0;
        for (int k = 0; k < problem.tours().size(); k++) {
            TourSpec spec = problem.tours().get(k);
            List<Integer> ids = plan.tours().get(k).customerIds();
            int done = spec.completed().size();
            if (ids.size() < done || !ids.subList(0, done).equals(spec.completed())) {
                errors.add("tour " + k + " does not start with its completed stops " + spec.completed() + ": " + ids);
                continue;
            }
            if (ids.size() > spec.maxStops()) {
                errors.add("tour " + k + " has " + ids.size() + " stops > max " + spec.maxStops());
            }
            Map<Integer, Double> fixed = new HashMap<>();
            spec.fixedStops().forEach(f -> fixed.put(f.customerId(), f.startTime()));
            for (int id : ids) {
                if (!byId.containsKey(id)) {
                    errors.add("unknown customer " + id);
                    return errors;
                }
                if (!seen.add(id)) {
                    errors.add("customer " + id + " visited twice");
                }
                score += byId.get(id).score();
            }
            for (int id : fixed.keySet()) {
                if (!ids.contains(id)) {
                    errors.add("tour " + k + " lost fixed stop " + id);
                }
            }
            double time = spec.startTime();
            int at = spec.startLocation();
            for (int id : ids.subList(done, ids.size())) {
                Customer c = byId.get(id);
                double arrive = time + problem.travelTimes().time(at, id);
                double begin;
                if (fixed.containsKey(id)) {
                    begin = fixed.get(id);
                    if (arrive > begin + EPS) {
                        errors.add("tour " + k + ": fixed stop " + id + " reached at " + arrive + " after " + begin);
                    }
                } else {
                    begin = Math.max(arrive, c.open());
                    if (begin > c.close() + EPS) {
                        errors.add("tour " + k + ": customer " + id + " starts " + begin + " after close " + c.close());
                    }
                }
                time = begin + c.serviceTime();
                at = id;
            }
            double back = time + problem.travelTimes().time(at, spec.endLocation());
            if (back > spec.endTime() + EPS) {
                errors.add("tour " + k + ": ends at " + back + " after " + spec.endTime());
            }
        }
        for (TourSpec spec : problem.tours()) {
            for (FixedStop f : spec.fixedStops()) {
                if (!seen.contains(f.customerId())) {
                    errors.add("fixed stop " + f.customerId() + " missing");
                }
            }
        }
        if (score != plan.score()) {
            errors.add("reported score " + plan.score() + " != recomputed " + score);
        }
        return errors;
    }
}
