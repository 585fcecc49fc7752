package io.salesos.planner;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A published reference score for a benchmark instance and tour count, tagged opt, bks or ref. */
public record ReferenceScore(String instance, int tours, long score, String kind) {

    private static final String RESOURCE = "optw-reference.tsv";

    public ReferenceScore {
        requireNonNull(instance, "instance");
        if (!kind.equals("opt") && !kind.equals("bks") && !kind.equals("ref")) {
            throw new IllegalArgumentException("kind must be opt, bks or ref: " + kind);
        }
        if (score <= 0) {
            throw new IllegalArgumentException("score must be > 0: " + score);
        }
    }

    /** Gap in percent: (reference - found) / reference * 100; negative when the reference is beaten. */
    public double gapPercent(long found) {
        return (score - found) * 100.0 / score;
    }

    /** Loads the embedded table (values from the benchmark README), keyed by {@code name + "/" + m}. */
    public static Map<String, ReferenceScore> loadTable() {
        Map<String, ReferenceScore> table = new HashMap<>();
        try (InputStream in = ReferenceScore.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                ReferenceScore r = new ReferenceScore(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]), f[3]);
                table.put(r.instance() + "/" + r.tours(), r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(table);
    }

    public static Optional<ReferenceScore> lookup(Map<String, ReferenceScore> table, String instance, int tours) {
        return Optional.ofNullable(table.get(instance + "/" + tours));
    }
}
