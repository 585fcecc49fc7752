package io.salesos.planner;

/**
 * One tour under construction with Vansteenwegen-style schedule bookkeeping.
 *
 * <p>Positions run from 0 (tour start) to {@code len + 1} (tour end). For each position we keep arrival,
 * service start, wait and maxShift (how much later the arrival there may become without breaking any later
 * window or the tour end), which makes an insertion check O(1).
 */
final class Route {

    static final long INFEASIBLE = Long.MAX_VALUE;

    private final CompiledProblem p;
    final int tour;
    int len;
    final int[] node;
    final long[] arr;
    final long[] start;
    final long[] wait;
    final long[] maxShift;
    long travelSum;

    Route(CompiledProblem p, int tour) {
        this.p = p;
        this.tour = tour;
        int cap = p.n + 2;
        node = new int[cap];
        arr = new long[cap];
        start = new long[cap];
        wait = new long[cap];
        maxShift = new long[cap];
        node[0] = p.startNode(tour);
        node[1] = p.endNode(tour);
        len = 0;
        recompute();
    }

    void copyFrom(Route o) {
        len = o.len;
        int k = len + 2;
        System.arraycopy(o.node, 0, node, 0, k);
        System.arraycopy(o.arr, 0, arr, 0, k);
        System.arraycopy(o.start, 0, start, 0, k);
        System.arraycopy(o.wait, 0, wait, 0, k);
        System.arraycopy(o.maxShift, 0, maxShift, 0, k);
        travelSum = o.travelSum;
    }

    boolean full() {
        return len >= p.capacity[tour];
    }

    /** Recomputes the whole schedule; returns whether every window and the tour end are respected. */
    boolean recompute() {
        long[][] t = p.travel;
        start[0] = p.open[node[0]];
        arr[0] = start[0];
        wait[0] = 0;
        long sum = 0;
        boolean ok = true;
        for (int q = 1; q <= len + 1; q++) {
            int prev = node[q - 1];
            int cur = node[q];
            long tr = t[prev][cur];
            sum += tr;
            long a = start[q - 1] + p.service[prev] + tr;
            arr[q] = a;
            long w = p.open[cur] - a;
            wait[q] = w > 0 ? w : 0;
            start[q] = a + wait[q];
            if (start[q] > p.close[cur]) {
                ok = false;
            }
        }
        travelSum = sum;
        int end = len + 1;
        maxShift[end] = p.close[node[end]] - start[end];
        for (int q = len; q >= 1; q--) {
            long viaNext = wait[q + 1] + maxShift[q + 1];
            long own = p.close[node[q]] - start[q];
            maxShift[q] = Math.min(own, viaNext);
        }
        maxShift[0] = wait[1] + maxShift[1];
        return ok;
    }

    /** Extra arrival delay at the successor if {@code j} goes right after position {@code pos}, or INFEASIBLE. */
    long insertionShift(int j, int pos) {
        int a = node[pos];
        int b = node[pos + 1];
        long[] ta = p.travel[a];
        long arrive = start[pos] + p.service[a] + ta[j];
        if (arrive > p.close[j]) {
            return INFEASIBLE;
        }
        long st = Math.max(arrive, p.open[j]);
        long shift = st + p.service[j] + p.travel[j][b] - arr[pos + 1];
        if (shift > wait[pos + 1] + maxShift[pos + 1]) {
            return INFEASIBLE;
        }
        return shift;
    }

    /**
     * Whether {@code j} can no longer be inserted after {@code pos} or any later position: departures only get
     * later along the route, so once the departure from {@code pos} is past j's closing time, all later ones are.
     */
    boolean tooLateFrom(int j, int pos) {
        return start[pos] + p.service[node[pos]] > p.close[j];
    }

    void insert(int j, int pos) {
        System.arraycopy(node, pos + 1, node, pos + 2, len + 1 - pos);
        node[pos + 1] = j;
        len++;
        recompute();
    }

    int removeAt(int pos) {
        int j = node[pos];
        System.arraycopy(node, pos + 1, node, pos, len + 1 - pos);
        len--;
        recompute();
        return j;
    }

    /** Replaces the customers with {@code seq[0..count)} and recomputes. */
    boolean setCustomers(int[] seq, int count) {
        int end = node[len + 1];
        System.arraycopy(seq, 0, node, 1, count);
        len = count;
        node[len + 1] = end;
        return recompute();
    }

    /** Total travel of the tour through {@code seq[0..count)}, or -1 if that order breaks a window. */
    long evaluate(int[] seq, int count) {
        long[][] t = p.travel;
        int prev = node[0];
        long time = start[0];
        long sum = 0;
        for (int q = 0; q <= count; q++) {
            int cur = q < count ? seq[q] : node[len + 1];
            long tr = t[prev][cur];
            sum += tr;
            long a = time + p.service[prev] + tr;
            long st = Math.max(a, p.open[cur]);
            if (st > p.close[cur]) {
                return -1;
            }
            time = st;
            prev = cur;
        }
        return sum;
    }

    int customer(int pos) {
        return node[pos];
    }
}
