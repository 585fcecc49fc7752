package io.salesos.planner;

import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Iterated local search (Vansteenwegen et al. 2009) with simulated-annealing acceptance in the spirit of
 * SAILS (Gunawan et al. 2017): shake a block of consecutive visits out of every tour, refill greedily,
 * shorten tours, try replacements, then accept by SA against the current solution and restart from the best.
 *
 * <p>All randomness comes from one seeded generator and every decision depends only on the iteration
 * count, never on the clock, so a seed and an iteration budget fix the result.
 */
final class AnnealedLocalSearch {

    /** Receives every new best solution (the search keeps owning the object). */
    interface BestListener {
        void onBest(Solution best, long iteration);
    }

    private final CompiledProblem p;
    private final SearchParameters params;
    private final SplittableRandom random;
    private final RatioInsertion insertion;
    private final TourImprover improver;
    private final int[] buf;

    AnnealedLocalSearch(CompiledProblem p, SearchParameters params, long seed) {
        this.p = p;
        this.params = params;
        this.random = new SplittableRandom(seed);
        this.insertion = new RatioInsertion(p);
        this.improver = new TourImprover(p, insertion);
        this.buf = new int[p.n + 2];
    }

    /** Runs until {@code maxIterations} or {@code stop}; returns the number of iterations done. */
    long run(long maxIterations, BooleanSupplier stop, BestListener listener, Solution best) {
        Solution cur = new Solution(p);
        improver.improve(cur);
        intensify(cur);
        best.copyFrom(cur);
        listener.onBest(best, 0);
        Solution cand = cur.copy();
        double mean = p.meanFreeScore;
        double temperature = params.startTemperature() * mean;
        int shakeSize = 1;
        int shakeStart = 0;
        long sinceBest = 0;
        long iter = 0;
        while (iter < maxIterations && !stop.getAsBoolean()) {
            iter++;
            cand.copyFrom(cur);
            int maxShake = maxShake(cand);
            if (random.nextDouble() < params.randomShakeShare()) {
                shakeRandom(cand, shakeSize);
            } else {
                shake(cand, shakeStart, shakeSize);
            }
            insertion.setNoise(random, params.insertionNoise());
            improver.improve(cand);
            insertion.setNoise(random, 0);
            if (cand.score >= cur.score - params.replaceWithin() * cur.score) {
                intensify(cand);
            }
            boolean accept;
            if (cand.betterThan(cur) || cand.score == cur.score) {
                accept = true;
            } else {
                double drop = cur.score - cand.score;
                accept = temperature > 0 && random.nextDouble() < Math.exp(-drop / temperature);
            }
            if (accept) {
                cur.copyFrom(cand);
            }
            if (cand.betterThan(best)) {
                best.copyFrom(cand);
                listener.onBest(best, iter);
                shakeSize = 1;
                sinceBest = 0;
            } else {
                shakeSize++;
                sinceBest++;
                if (sinceBest % params.restartAfter() == 0) {
                    cur.copyFrom(best);
                }
            }
            shakeStart += shakeSize;
            int minLen = minLength(cur);
            if (shakeSize > maxShake) {
                shakeSize = 1;
            }
            if (minLen > 0 && shakeStart >= minLen) {
                shakeStart %= minLen;
            }
            temperature *= params.cooling();
            if (temperature < params.minTemperature() * mean) {
                temperature = params.startTemperature() * mean;
            }
        }
        return iter;
    }

    private void intensify(Solution s) {
        while (improver.replace(s)) {
            improver.improve(s);
        }
    }

    private int maxShake(Solution s) {
        int total = 0;
        for (Route r : s.routes) {
            total += r.len;
        }
        double avg = (double) total / p.m;
        return Math.max(1, (int) Math.ceil(avg * params.maxShakeFraction()));
    }

    private static int minLength(Solution s) {
        int min = Integer.MAX_VALUE;
        for (Route r : s.routes) {
            min = Math.min(min, r.len);
        }
        return min;
    }

    /** Removes about {@code size} free visits per tour at random positions. */
    private void shakeRandom(Solution s, int size) {
        for (int k = 0; k < p.m; k++) {
            Route r = s.routes[k];
            int len = r.len;
            if (len == 0) {
                continue;
            }
            boolean[] drop = new boolean[len];
            for (int q = Math.min(size, len); q > 0; q--) {
                int pos = random.nextInt(len);
                drop[pos] = p.lockedTour[r.node[pos + 1]] < 0;
            }
            apply(s, r, drop);
        }
    }

    /** Removes up to {@code size} consecutive free visits from every tour, starting at {@code from}. */
    private void shake(Solution s, int from, int size) {
        for (int k = 0; k < p.m; k++) {
            Route r = s.routes[k];
            int len = r.len;
            if (len == 0) {
                continue;
            }
            int first = from % len;
            int count = Math.min(size, len);
            boolean[] drop = new boolean[len];
            for (int q = 0; q < count; q++) {
                int pos = (first + q) % len;
                drop[pos] = p.lockedTour[r.node[pos + 1]] < 0;
            }
            apply(s, r, drop);
        }
    }

    /** Drops the marked visits of one route unless that would make a later visit late. */
    private void apply(Solution s, Route r, boolean[] drop) {
        int len = r.len;
        int kept = 0;
        for (int q = 0; q < len; q++) {
            if (!drop[q]) {
                buf[kept++] = r.node[q + 1];
            }
        }
        // With truncated or road-network times the triangle inequality can fail, so a removal may be late.
        if (kept == len || r.evaluate(buf, kept) < 0) {
            return;
        }
        for (int q = 0; q < len; q++) {
            if (drop[q]) {
                int c = r.node[q + 1];
                s.routeOf[c] = -1;
                s.score -= p.score[c];
            }
        }
        r.setCustomers(buf, kept);
    }
}
