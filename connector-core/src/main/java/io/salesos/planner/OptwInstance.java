package io.salesos.planner;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An OPTW/TOPTW benchmark instance (KU Leuven format) with its travel-time convention.
 *
 * <p>Travel time is the Euclidean distance truncated to {@code decimals} decimals (1 for Solomon-based
 * files, 2 for {@code pr*} files), computed exactly with integer square roots as verify.py does; with
 * {@code exact} the unrounded distance is used instead.
 */
public record OptwInstance(String name, List<OptwNode> nodes, int decimals, boolean exact) {

    /** Time resolution for exact distances: fine enough that the conservative rounding costs nothing visible. */
    static final double EXACT_TICKS_PER_UNIT = 1e6;

    public OptwInstance {
        requireNonNull(name, "name");
        nodes = List.copyOf(requireNonNull(nodes, "nodes"));
        if (nodes.size() < 2) {
            throw new IllegalArgumentException("need a depot and at least one customer");
        }
        if (decimals < 0 || decimals > 6) {
            throw new IllegalArgumentException("decimals must be 0..6: " + decimals);
        }
    }

    /** Parses a file with the convention chosen by its name: {@code pr*} truncates to 2 decimals, others to 1. */
    public static OptwInstance parse(Path file) throws IOException {
        return parse(file, false);
    }

    public static OptwInstance parse(Path file, boolean exact) throws IOException {
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(".txt") ? fileName.substring(0, fileName.length() - 4) : fileName;
        return parse(name, Files.readString(file, StandardCharsets.UTF_8), exact);
    }

    /** Parses instance text: header = first four numbers, then node records of at least 9 fields, ids 0..N in order. */
    public static OptwInstance parse(String name, String text, boolean exact) {
        List<String[]> lines = new ArrayList<>();
        for (String line : text.replace("\r", "\n").split("\n")) {
            String trimmed = line.trim();
            if (!trimmed.isEmpty()) {
                lines.add(trimmed.split("\\s+"));
            }
        }
        List<String> header = new ArrayList<>();
        int pos = 0;
        while (header.size() < 4 && pos < lines.size()) {
            header.addAll(List.of(lines.get(pos++)));
        }
        if (header.size() < 4) {
            throw new IllegalArgumentException(name + ": header 'k v N t' incomplete");
        }
        int n = Integer.parseInt(header.get(2));
        List<OptwNode> nodes = new ArrayList<>();
        for (; pos < lines.size() && nodes.size() < n + 1; pos++) {
            String[] f = lines.get(pos);
            if (f.length < 9) {
                continue;
            }
            int id;
            try {
                id = Integer.parseInt(f[0]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (id != nodes.size()) {
                if (nodes.isEmpty()) {
                    continue;
                }
                throw new IllegalArgumentException(name + ": node lines out of order, expected " + nodes.size() + " got " + id);
            }
            int listLength = Integer.parseInt(f[6]);
            if (f.length != 9 + listLength) {
                throw new IllegalArgumentException(name + ": node " + id + " has " + f.length + " fields, expected " + (9 + listLength));
            }
            BigDecimal score = new BigDecimal(f[4]);
            long scoreValue;
            try {
                scoreValue = score.stripTrailingZeros().longValueExact();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(name + ": node " + id + " score is not an integer: " + f[4], e);
            }
            nodes.add(new OptwNode(id, new BigDecimal(f[1]), new BigDecimal(f[2]), Double.parseDouble(f[3]), scoreValue,
                    Double.parseDouble(f[f.length - 2]), Double.parseDouble(f[f.length - 1])));
        }
        if (nodes.size() != n + 1) {
            throw new IllegalArgumentException(name + ": expected " + (n + 1) + " node lines, found " + nodes.size());
        }
        int decimals = name.toLowerCase(Locale.ROOT).startsWith("pr") ? 2 : 1;
        return new OptwInstance(name, nodes, decimals, exact);
    }

    public int customerCount() {
        return nodes.size() - 1;
    }

    /** The depot's closing time, the per-tour time budget. */
    public double tmax() {
        return nodes.get(0).close();
    }

    public double ticksPerUnit() {
        return exact ? EXACT_TICKS_PER_UNIT : Math.pow(10, decimals);
    }

    /** The travel-time matrix under this instance's convention. */
    public TravelTimes travelTimes() {
        int size = nodes.size();
        double[][] matrix = new double[size][size];
        BigDecimal scaleSquared = BigDecimal.TEN.pow(2 * decimals);
        double scale = Math.pow(10, decimals);
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < i; j++) {
                BigDecimal dx = nodes.get(i).x().subtract(nodes.get(j).x());
                BigDecimal dy = nodes.get(i).y().subtract(nodes.get(j).y());
                double d;
                if (exact) {
                    d = Math.hypot(dx.doubleValue(), dy.doubleValue());
                } else {
                    // floor(scale * sqrt(q)) == isqrt(floor(scale^2 * q)) exactly, as in verify.py.
                    BigInteger squared = dx.multiply(dx).add(dy.multiply(dy)).multiply(scaleSquared).toBigInteger();
                    d = squared.sqrt().doubleValue() / scale;
                }
                matrix[i][j] = d;
                matrix[j][i] = d;
            }
        }
        return new MatrixTravelTimes(matrix);
    }

    /** The benchmark problem with {@code tours} identical tours from the depot (node 0) within [O_0, C_0]. */
    public PlanningProblem toProblem(int tours) {
        List<Customer> customers = new ArrayList<>();
        for (OptwNode node : nodes.subList(1, nodes.size())) {
            customers.add(new Customer(node.id(), node.score(), node.serviceTime(), node.open(), node.close()));
        }
        OptwNode depot = nodes.get(0);
        return PlanningProblem.identicalTours(travelTimes(), customers, 0, depot.open(), depot.close(), tours, ticksPerUnit());
    }
}
