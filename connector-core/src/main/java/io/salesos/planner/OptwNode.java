package io.salesos.planner;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;

/** One node record of a benchmark file; coordinates are kept exact for the truncated-distance convention. */
public record OptwNode(int id, BigDecimal x, BigDecimal y, double serviceTime, long score, double open, double close) {

    public OptwNode {
        requireNonNull(x, "x");
        requireNonNull(y, "y");
    }
}
