package io.salesos.planner;

import java.util.Map;

/**
 * Tuning knobs of the annealed iterated local search; {@link #defaults()} is what the product uses.
 *
 * @param startTemperature initial SA temperature, in units of the mean customer score
 * @param cooling          temperature factor per iteration
 * @param minTemperature   reheat to the start temperature below this (same unit)
 * @param restartAfter     go back to the best solution after this many iterations without a new best
 * @param maxShakeFraction largest removed block as a fraction of the average tour length
 * @param insertionNoise   random spread on insertion ratios during perturbation (0 = plain greedy)
 * @param replaceWithin    run the replace move when a candidate is within this fraction of the current score
 * @param randomShakeShare share of iterations that remove random visits instead of a consecutive block
 */
record SearchParameters(double startTemperature, double cooling, double minTemperature, int restartAfter,
                        double maxShakeFraction, double insertionNoise, double replaceWithin,
                        double randomShakeShare) {

    SearchParameters {
        if (!(startTemperature >= 0) || !(cooling > 0 && cooling <= 1) || !(minTemperature >= 0)) {
            throw new IllegalArgumentException("bad temperature settings");
        }
        if (restartAfter < 1 || !(maxShakeFraction > 0) || !(insertionNoise >= 0) || !(replaceWithin >= 0)
                || !(randomShakeShare >= 0 && randomShakeShare <= 1)) {
            throw new IllegalArgumentException("bad search settings");
        }
    }

    static SearchParameters defaults() {
        return new SearchParameters(3.0, 0.999, 0.05, 2000, 0.5, 2.0, 0.02, 0.0);
    }

    /** Overrides named fields, e.g. {@code cooling=0.995}; used by the benchmark runner for tuning. */
    SearchParameters with(Map<String, String> overrides) {
        double t0 = get(overrides, "startTemperature", startTemperature);
        double c = get(overrides, "cooling", cooling);
        double tmin = get(overrides, "minTemperature", minTemperature);
        int restart = (int) get(overrides, "restartAfter", restartAfter);
        double shake = get(overrides, "maxShakeFraction", maxShakeFraction);
        double noise = get(overrides, "insertionNoise", insertionNoise);
        double replace = get(overrides, "replaceWithin", replaceWithin);
        double randomShake = get(overrides, "randomShakeShare", randomShakeShare);
        for (String key : overrides.keySet()) {
            if (!java.util.Set.of("startTemperature", "cooling", "minTemperature", "restartAfter",
                    "maxShakeFraction", "insertionNoise", "replaceWithin", "randomShakeShare").contains(key)) {
                throw new IllegalArgumentException("unknown search parameter " + key);
            }
        }
        return new SearchParameters(t0, c, tmin, restart, shake, noise, replace, randomShake);
    }

    private static double get(Map<String, String> map, String key, double fallback) {
        String v = map.get(key);
        return v == null ? fallback : Double.parseDouble(v);
    }
}
