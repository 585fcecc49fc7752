package io.salesos.planner;

/**
 * Local search that shortens tours (2-opt, or-opt, cross-tour relocate and swap) to free time for
 * insertions, and replaces a visited customer by a more valuable unvisited one when that fits.
 *
 * <p>Travel deltas are computed first in O(1) (or O(segment) for asymmetric 2-opt); only improving
 * candidates pay for the O(length) feasibility simulation.
 */
final class TourImprover {

    /** How many positions on each side of a removed visit the replace move tries. */
    private static final int REPLACE_REACH = 2;
    /** Longest segment the or-opt move shifts; longer ones rarely fit time windows. */
    private static final int MAX_SEGMENT = 3;

    private final CompiledProblem p;
    private final RatioInsertion insertion;
    private final int[] buf;
    private final int[] buf2;
    private final Route scratch;

    TourImprover(CompiledProblem p, RatioInsertion insertion) {
        this.p = p;
        this.insertion = insertion;
        buf = new int[p.n + 2];
        buf2 = new int[p.n + 2];
        scratch = new Route(p, 0);
    }

    /** Alternates travel reduction and insertion until neither changes anything. */
    void improve(Solution s) {
        insertion.fill(s);
        for (int round = 0; round < 50; round++) {
            boolean shorter = false;
            for (Route r : s.routes) {
                shorter |= twoOpt(r);
                shorter |= relocateWithin(r);
            }
            if (p.m > 1) {
                shorter |= relocateBetween(s);
                shorter |= swapBetween(s);
            }
            int added = insertion.fill(s);
            if (!shorter && added == 0) {
                return;
            }
        }
    }

    boolean twoOpt(Route r) {
        long[][] t = p.travel;
        boolean any = false;
        boolean improved = true;
        while (improved) {
            improved = false;
            int len = r.len;
            int[] nd = r.node;
            for (int i = 1; i < len && !improved; i++) {
                int a = nd[i - 1];
                int first = nd[i];
                for (int j = i + 1; j <= len; j++) {
                    int last = nd[j];
                    int b = nd[j + 1];
                    long delta = t[a][last] + t[first][b] - t[a][first] - t[last][b];
                    if (!p.symmetric) {
                        for (int q = i; q < j; q++) {
                            delta += t[nd[q + 1]][nd[q]] - t[nd[q]][nd[q + 1]];
                        }
                    }
                    if (delta >= 0) {
                        continue;
                    }
                    int k = 0;
                    for (int q = 1; q < i; q++) {
                        buf[k++] = nd[q];
                    }
                    for (int q = j; q >= i; q--) {
                        buf[k++] = nd[q];
                    }
                    for (int q = j + 1; q <= len; q++) {
                        buf[k++] = nd[q];
                    }
                    if (r.evaluate(buf, k) >= 0) {
                        r.setCustomers(buf, k);
                        improved = true;
                        any = true;
                        break;
                    }
                }
            }
        }
        return any;
    }

    /** Or-opt: moves a segment of one to {@link #MAX_SEGMENT} consecutive visits elsewhere in its tour. */
    boolean relocateWithin(Route r) {
        long[][] t = p.travel;
        boolean any = false;
        boolean improved = true;
        while (improved) {
            improved = false;
            int len = r.len;
            int[] nd = r.node;
            for (int seg = 1; seg <= MAX_SEGMENT && !improved; seg++) {
                for (int i = 1; i + seg - 1 <= len && !improved; i++) {
                    int first = nd[i];
                    int last = nd[i + seg - 1];
                    int before = nd[i - 1];
                    int after = nd[i + seg];
                    long gain = t[before][first] + t[last][after] - t[before][after];
                    for (int j = 0; j <= len; j++) {
                        if (j >= i - 1 && j <= i + seg - 1) {
                            continue;
                        }
                        int c = nd[j];
                        int d = nd[j + 1];
                        if (t[c][first] + t[last][d] - t[c][d] - gain >= 0) {
                            continue;
                        }
                        int k = 0;
                        for (int q = 1; q <= len; q++) {
                            if (q >= i && q < i + seg) {
                                continue;
                            }
                            if (q == j + 1 && j < i) {
                                k = copySegment(nd, i, seg, k);
                            }
                            buf[k++] = nd[q];
                            if (q == j && j > i) {
                                k = copySegment(nd, i, seg, k);
                            }
                        }
                        if (r.evaluate(buf, k) >= 0) {
                            r.setCustomers(buf, k);
                            improved = true;
                            any = true;
                            break;
                        }
                    }
                }
            }
        }
        return any;
    }

    private int copySegment(int[] nd, int from, int seg, int k) {
        for (int q = from; q < from + seg; q++) {
            buf[k++] = nd[q];
        }
        return k;
    }

    boolean relocateBetween(Solution s) {
        long[][] t = p.travel;
        boolean any = false;
        for (int r1 = 0; r1 < p.m; r1++) {
            Route from = s.routes[r1];
            for (int i = 1; i <= from.len; i++) {
                int x = from.node[i];
                if (p.lockedTour[x] >= 0) {
                    continue;
                }
                long gain = t[from.node[i - 1]][x] + t[x][from.node[i + 1]] - t[from.node[i - 1]][from.node[i + 1]];
                boolean moved = false;
                for (int r2 = 0; r2 < p.m && !moved; r2++) {
                    Route to = s.routes[r2];
                    if (r2 == r1 || to.full()) {
                        continue;
                    }
                    for (int j = 0; j <= to.len; j++) {
                        int c = to.node[j];
                        int d = to.node[j + 1];
                        long cost = t[c][x] + t[x][d] - t[c][d];
                        if (cost - gain >= 0 || to.insertionShift(x, j) == Route.INFEASIBLE) {
                            continue;
                        }
                        int k = without(from, i);
                        if (from.evaluate(buf, k) < 0) {
                            break;
                        }
                        from.setCustomers(buf, k);
                        to.insert(x, j);
                        s.routeOf[x] = r2;
                        moved = true;
                        any = true;
                        i--;
                        break;
                    }
                }
            }
        }
        return any;
    }

    boolean swapBetween(Solution s) {
        long[][] t = p.travel;
        boolean any = false;
        for (int r1 = 0; r1 < p.m; r1++) {
            Route ra = s.routes[r1];
            for (int r2 = r1 + 1; r2 < p.m; r2++) {
                Route rb = s.routes[r2];
                for (int i = 1; i <= ra.len; i++) {
                    int x = ra.node[i];
                    if (p.lockedTour[x] >= 0) {
                        continue;
                    }
                    int a1 = ra.node[i - 1];
                    int b1 = ra.node[i + 1];
                    for (int j = 1; j <= rb.len; j++) {
                        int y = rb.node[j];
                        if (p.lockedTour[y] >= 0) {
                            continue;
                        }
                        int a2 = rb.node[j - 1];
                        int b2 = rb.node[j + 1];
                        long delta = t[a1][y] + t[y][b1] - t[a1][x] - t[x][b1]
                                + t[a2][x] + t[x][b2] - t[a2][y] - t[y][b2];
                        if (delta >= 0) {
                            continue;
                        }
                        System.arraycopy(ra.node, 1, buf, 0, ra.len);
                        buf[i - 1] = y;
                        if (ra.evaluate(buf, ra.len) < 0) {
                            continue;
                        }
                        System.arraycopy(rb.node, 1, buf2, 0, rb.len);
                        buf2[j - 1] = x;
                        if (rb.evaluate(buf2, rb.len) < 0) {
                            continue;
                        }
                        ra.setCustomers(buf, ra.len);
                        rb.setCustomers(buf2, rb.len);
                        s.routeOf[x] = r2;
                        s.routeOf[y] = r1;
                        any = true;
                        x = y;
                        a1 = ra.node[i - 1];
                        b1 = ra.node[i + 1];
                    }
                }
            }
        }
        return any;
    }

    /**
     * Replaces one visited customer by a strictly more valuable unvisited one if the latter fits in the
     * freed route; takes the best gain found. Returns whether the score went up.
     */
    boolean replace(Solution s) {
        long bestGain = 0;
        long bestShift = Route.INFEASIBLE;
        int bestRoute = -1;
        int bestRemovePos = -1;
        int bestIn = -1;
        int bestInsertPos = -1;
        for (int r = 0; r < p.m; r++) {
            Route route = s.routes[r];
            for (int i = 1; i <= route.len; i++) {
                int v = route.node[i];
                if (p.lockedTour[v] >= 0) {
                    continue;
                }
                scratch.copyFrom(route);
                scratch.removeAt(i);
                if (!scheduleOk(scratch)) {
                    continue;
                }
                long sv = p.score[v];
                for (int u : p.free) {
                    long gain = p.score[u] - sv;
                    if (s.routeOf[u] >= 0 || gain <= 0 || gain < bestGain) {
                        continue;
                    }
                    // Only around v's old place: a replacement far from it is left to the shake, and this
                    // keeps the move O(visited x unvisited) instead of O(visited x unvisited x length).
                    int last = Math.min(scratch.len, i + REPLACE_REACH - 1);
                    for (int pos = Math.max(0, i - REPLACE_REACH - 1); pos <= last && !scratch.tooLateFrom(u, pos); pos++) {
                        long sh = scratch.insertionShift(u, pos);
                        if (sh == Route.INFEASIBLE) {
                            continue;
                        }
                        if (gain > bestGain || sh < bestShift) {
                            bestGain = gain;
                            bestShift = sh;
                            bestRoute = r;
                            bestRemovePos = i;
                            bestIn = u;
                            bestInsertPos = pos;
                        }
                    }
                }
            }
        }
        if (bestRoute < 0) {
            return false;
        }
        s.removeAt(bestRoute, bestRemovePos);
        s.insert(bestRoute, bestIn, bestInsertPos);
        return true;
    }

    private static boolean scheduleOk(Route r) {
        for (int q = 1; q <= r.len + 1; q++) {
            if (r.maxShift[q] < 0) {
                return false;
            }
        }
        return true;
    }

    private int without(Route r, int pos) {
        int k = 0;
        for (int q = 1; q <= r.len; q++) {
            if (q != pos) {
                buf[k++] = r.node[q];
            }
        }
        return k;
    }
}
