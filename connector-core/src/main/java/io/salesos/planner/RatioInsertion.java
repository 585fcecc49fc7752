package io.salesos.planner;

/**
 * Greedy insertion by Vansteenwegen's ratio score^2 / shift until no unvisited customer fits anywhere.
 *
 * <p>Best positions are cached per (route, customer) and only the route that changed is re-evaluated,
 * which keeps a full pass O(pool x route length) per insertion instead of O(pool x all routes).
 */
final class RatioInsertion {

    private final CompiledProblem p;
    private final long[][] bestShift;
    private final int[][] bestPos;
    private final int[] pool;
    private final double[] noise;

    RatioInsertion(CompiledProblem p) {
        this.p = p;
        bestShift = new long[p.m][p.n];
        bestPos = new int[p.m][p.n];
        pool = new int[p.free.length];
        noise = new double[p.n];
        java.util.Arrays.fill(noise, 1.0);
    }

    /** Multiplies each customer's ratio by a factor; 1.0 everywhere gives the plain greedy. */
    void setNoise(java.util.random.RandomGenerator rnd, double amplitude) {
        for (int i = 0; i < noise.length; i++) {
            noise[i] = amplitude == 0 ? 1.0 : 1.0 + amplitude * rnd.nextDouble();
        }
    }

    /** Inserts as many unvisited customers as fit; returns how many were inserted. */
    int fill(Solution s) {
        int size = 0;
        for (int c : p.free) {
            if (s.routeOf[c] < 0) {
                pool[size++] = c;
            }
        }
        if (size == 0) {
            return 0;
        }
        for (int r = 0; r < p.m; r++) {
            evaluate(s.routes[r], r, size);
        }
        int inserted = 0;
        while (size > 0) {
            int bestIdx = -1;
            int bestRoute = -1;
            double bestRatio = -1;
            for (int i = 0; i < size; i++) {
                int c = pool[i];
                long shift = Route.INFEASIBLE;
                int route = -1;
                for (int r = 0; r < p.m; r++) {
                    long sh = bestShift[r][c];
                    if (sh < shift) {
                        shift = sh;
                        route = r;
                    }
                }
                if (route < 0) {
                    continue;
                }
                double sc = p.score[c];
                double ratio = sc * sc / Math.max(1L, shift) * noise[c];
                if (ratio > bestRatio) {
                    bestRatio = ratio;
                    bestIdx = i;
                    bestRoute = route;
                }
            }
            if (bestIdx < 0) {
                break;
            }
            int c = pool[bestIdx];
            s.insert(bestRoute, c, bestPos[bestRoute][c]);
            inserted++;
            // Keep pool order stable so tie-breaking never depends on earlier removals.
            System.arraycopy(pool, bestIdx + 1, pool, bestIdx, size - bestIdx - 1);
            size--;
            evaluate(s.routes[bestRoute], bestRoute, size);
        }
        return inserted;
    }

    private void evaluate(Route route, int r, int size) {
        long[] shifts = bestShift[r];
        int[] positions = bestPos[r];
        if (route.full()) {
            for (int i = 0; i < size; i++) {
                shifts[pool[i]] = Route.INFEASIBLE;
            }
            return;
        }
        int len = route.len;
        for (int i = 0; i < size; i++) {
            int c = pool[i];
            long best = Route.INFEASIBLE;
            int bp = -1;
            for (int pos = 0; pos <= len && !route.tooLateFrom(c, pos); pos++) {
                long sh = route.insertionShift(c, pos);
                if (sh < best) {
                    best = sh;
                    bp = pos;
                }
            }
            shifts[c] = best;
            positions[c] = bp;
        }
    }
}
