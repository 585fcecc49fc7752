package io.salesos.planner;

/** A set of routes plus which route serves each customer; score excludes completed stops. */
final class Solution {

    final CompiledProblem p;
    final Route[] routes;
    final int[] routeOf;
    long score;

    /** The empty solution: only the fixed stops, in time order. */
    Solution(CompiledProblem p) {
        this.p = p;
        routes = new Route[p.m];
        routeOf = new int[p.n];
        java.util.Arrays.fill(routeOf, -1);
        for (int k = 0; k < p.m; k++) {
            Route r = new Route(p, k);
            routes[k] = r;
            int[] fixed = p.fixedByTour[k];
            if (!r.setCustomers(fixed, fixed.length)) {
                throw new IllegalArgumentException("tour " + k + ": its fixed stops cannot all be reached on time");
            }
            for (int c : fixed) {
                routeOf[c] = k;
                score += p.score[c];
            }
        }
    }

    private Solution(Solution o) {
        p = o.p;
        routes = new Route[p.m];
        for (int k = 0; k < p.m; k++) {
            routes[k] = new Route(p, k);
            routes[k].copyFrom(o.routes[k]);
        }
        routeOf = o.routeOf.clone();
        score = o.score;
    }

    Solution copy() {
        return new Solution(this);
    }

    void copyFrom(Solution o) {
        for (int k = 0; k < p.m; k++) {
            routes[k].copyFrom(o.routes[k]);
        }
        System.arraycopy(o.routeOf, 0, routeOf, 0, routeOf.length);
        score = o.score;
    }

    void insert(int r, int customer, int pos) {
        routes[r].insert(customer, pos);
        routeOf[customer] = r;
        score += p.score[customer];
    }

    void removeAt(int r, int pos) {
        int c = routes[r].removeAt(pos);
        routeOf[c] = -1;
        score -= p.score[c];
    }

    long travel() {
        long sum = 0;
        for (Route r : routes) {
            sum += r.travelSum;
        }
        return sum;
    }

    /** Higher score wins; on equal score, less travel leaves more room and wins. */
    boolean betterThan(Solution o) {
        return score > o.score || (score == o.score && travel() < o.travel());
    }
}
