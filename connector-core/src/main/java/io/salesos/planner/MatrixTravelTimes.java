package io.salesos.planner;

import static java.util.Objects.requireNonNull;

/** Travel times backed by a precomputed square matrix (copied on construction). */
public final class MatrixTravelTimes implements TravelTimes {

    private final double[][] matrix;

    public MatrixTravelTimes(double[][] matrix) {
        requireNonNull(matrix, "matrix");
        int n = matrix.length;
        this.matrix = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] row = requireNonNull(matrix[i], "matrix row");
            if (row.length != n) {
                throw new IllegalArgumentException("matrix must be square: row " + i + " has " + row.length + " entries, expected " + n);
            }
            for (int j = 0; j < n; j++) {
                if (!Double.isFinite(row[j]) || row[j] < 0) {
                    throw new IllegalArgumentException("travel time [" + i + "][" + j + "] must be finite and >= 0: " + row[j]);
                }
            }
            this.matrix[i] = row.clone();
        }
    }

    @Override
    public int size() {
        return matrix.length;
    }

    @Override
    public double time(int from, int to) {
        return matrix[from][to];
    }
}
