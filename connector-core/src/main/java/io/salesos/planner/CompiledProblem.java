package io.salesos.planner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The problem in solver form: dense internal indexes and integer ticks.
 *
 * <p>Internal nodes {@code 0..n-1} are customers; {@code n + 2k} and {@code n + 2k + 1} are the start and
 * end of tour {@code k}. A fixed stop's window is collapsed to its booked start time.
 */
final class CompiledProblem {

    final PlanningProblem source;
    final TickClock clock;
    final int n;
    final int m;
    final int[] customerId;
    final long[] score;
    final long[] service;
    final long[] open;
    final long[] close;
    final long[][] travel;
    final boolean symmetric;
    /** Tour a customer is pinned to (fixed stop), or -1. */
    final int[] lockedTour;
    /** Customers the search may insert and remove (not completed, not fixed), ascending. */
    final int[] free;
    final int[] capacity;
    final int[][] fixedByTour;
    final long completedScore;
    final double meanFreeScore;

    CompiledProblem(PlanningProblem p) {
        this.source = p;
        this.clock = new TickClock(p.ticksPerUnit());
        List<Customer> customers = p.customers();
        n = customers.size();
        m = p.tours().size();
        int size = n + 2 * m;
        customerId = new int[n];
        score = new long[n];
        service = new long[size];
        open = new long[size];
        close = new long[size];
        lockedTour = new int[n];
        java.util.Arrays.fill(lockedTour, -1);
        int[] location = new int[size];
        Map<Integer, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Customer c = customers.get(i);
            customerId[i] = c.id();
            location[i] = c.id();
            score[i] = c.score();
            service[i] = clock.up(c.serviceTime());
            open[i] = clock.up(c.open());
            close[i] = clock.down(c.close());
            index.put(c.id(), i);
        }
        boolean[] completed = new boolean[n];
        long done = 0;
        capacity = new int[m];
        fixedByTour = new int[m][];
        for (int k = 0; k < m; k++) {
            TourSpec t = p.tours().get(k);
            int s = n + 2 * k;
            int e = s + 1;
            location[s] = t.startLocation();
            location[e] = t.endLocation();
            open[s] = clock.up(t.startTime());
            close[s] = open[s];
            open[e] = open[s];
            close[e] = clock.down(t.endTime());
            for (int id : t.completed()) {
                int i = index.get(id);
                completed[i] = true;
                done += score[i];
            }
            List<Integer> fixed = new ArrayList<>();
            for (FixedStop f : t.fixedStops()) {
                int i = index.get(f.customerId());
                long at = clock.up(f.startTime());
                if (at != clock.down(f.startTime())) {
                    // Off-grid times would need a latest arrival and a departure on different ticks.
                    throw new IllegalArgumentException("fixed stop time " + f.startTime()
                            + " is not a whole number of ticks at " + p.ticksPerUnit() + " ticks per unit");
                }
                open[i] = at;
                close[i] = at;
                lockedTour[i] = k;
                fixed.add(i);
            }
            // Booked meetings are visited in time order (stable sort keeps input order on equal times).
            fixed.sort((a, b) -> Long.compare(open[a], open[b]));
            fixedByTour[k] = fixed.stream().mapToInt(Integer::intValue).toArray();
            long cap = (long) t.maxStops() - t.completed().size();
            capacity[k] = (int) Math.min(Integer.MAX_VALUE / 2, cap);
        }
        completedScore = done;
        travel = new long[size][size];
        TravelTimes tt = p.travelTimes();
        boolean sym = true;
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                travel[i][j] = clock.up(tt.time(location[i], location[j]));
            }
        }
        for (int i = 0; i < size && sym; i++) {
            for (int j = 0; j < i; j++) {
                if (travel[i][j] != travel[j][i]) {
                    sym = false;
                    break;
                }
            }
        }
        symmetric = sym;
        int[] freeList = new int[n];
        int count = 0;
        long freeScore = 0;
        for (int i = 0; i < n; i++) {
            if (!completed[i] && lockedTour[i] < 0) {
                freeList[count++] = i;
                freeScore += score[i];
            }
        }
        free = java.util.Arrays.copyOf(freeList, count);
        meanFreeScore = count == 0 ? 1.0 : Math.max(1e-9, (double) freeScore / count);
    }

    int startNode(int tour) {
        return n + 2 * tour;
    }

    int endNode(int tour) {
        return n + 2 * tour + 1;
    }
}
