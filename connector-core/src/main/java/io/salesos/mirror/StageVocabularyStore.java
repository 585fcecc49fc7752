package io.salesos.mirror;

import io.salesos.spi.StageVocabulary;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * Each connection's deal stages as its CRM last reported them: the owner of the {@code
 * stage_vocabulary} and {@code stage_vocabulary_version} tables. A read of the CRM that reports the
 * same stages only moves {@code checked_at}; a change (a stage renamed, added, reordered, a
 * probability edited) is stored as a new version, the old ones kept for the record.
 */
public final class StageVocabularyStore {

  /** One stored version of a connection's stages. */
  public record Versioned(String source, int version, Instant readAt, Instant checkedAt, StageVocabulary vocabulary) {}

  private final Database database;
  private final Clock clock;

  public StageVocabularyStore(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** Stores what the CRM reported now; returns the version in force afterwards (new or unchanged). */
  public Versioned record(String source, StageVocabulary vocabulary) {
    var fingerprint = sha256(canonical(vocabulary));
    var now = Timestamp.from(clock.instant());
    try (var c = database.connection()) {
      c.setAutoCommit(false);
      try {
        int latest = 0;
        String latestPrint = null;
        try (var ps = c.prepareStatement("SELECT version, fingerprint FROM stage_vocabulary_version WHERE source = ?"
            + " ORDER BY version DESC LIMIT 1 FOR UPDATE")) {
          ps.setString(1, source);
          try (var rs = ps.executeQuery()) {
            if (rs.next()) {
              latest = rs.getInt(1);
              latestPrint = rs.getString(2);
            }
          }
        }
        if (fingerprint.equals(latestPrint)) {
          try (var ps = c.prepareStatement("UPDATE stage_vocabulary_version SET checked_at = ? WHERE source = ? AND version = ?")) {
            ps.setTimestamp(1, now);
            ps.setString(2, source);
            ps.setInt(3, latest);
            ps.executeUpdate();
          }
        } else {
          latest++;
          try (var ps = c.prepareStatement("INSERT INTO stage_vocabulary_version (source, version, fingerprint, read_at, checked_at)"
              + " VALUES (?,?,?,?,?)")) {
            ps.setString(1, source);
            ps.setInt(2, latest);
            ps.setString(3, fingerprint);
            ps.setTimestamp(4, now);
            ps.setTimestamp(5, now);
            ps.executeUpdate();
          }
          try (var ps = c.prepareStatement("INSERT INTO stage_vocabulary (source, version, pipeline_id, pipeline_label,"
              + " pipeline_order, stage_id, stage_label, stage_order, probability, forecast_category, is_closed, is_won, is_active)"
              + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            int pipelineOrder = 0;
            for (var p : vocabulary.pipelines()) {
              for (var s : p.stages()) {
                ps.setString(1, source);
                ps.setInt(2, latest);
                ps.setString(3, p.id());
                ps.setString(4, p.label());
                ps.setInt(5, pipelineOrder);
                ps.setString(6, s.id());
                ps.setString(7, s.label());
                ps.setInt(8, s.order());
                ps.setBigDecimal(9, s.probability().orElse(null));
                ps.setString(10, s.forecastCategory().orElse(null));
                ps.setBoolean(11, s.closed());
                ps.setBoolean(12, s.won());
                ps.setBoolean(13, s.active());
                ps.addBatch();
              }
              pipelineOrder++;
            }
            ps.executeBatch();
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not store the stages of " + source + ": " + e.getMessage(), e);
    }
    return latest(source).orElseThrow();
  }

  /** The newest stored version of a connection's stages; empty before its first read of the CRM's metadata. */
  public Optional<Versioned> latest(String source) {
    try (var c = database.connection()) {
      return latest(c, source);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the stages of " + source + ": " + e.getMessage(), e);
    }
  }

  /** As {@link #latest(String)}, on a connection the caller holds. */
  public static Optional<Versioned> latest(Connection c, String source) throws SQLException {
    int version;
    Instant readAt;
    Instant checkedAt;
    try (var ps = c.prepareStatement("SELECT version, read_at, checked_at FROM stage_vocabulary_version WHERE source = ?"
        + " ORDER BY version DESC LIMIT 1")) {
      ps.setString(1, source);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        version = rs.getInt(1);
        readAt = rs.getTimestamp(2).toInstant();
        checkedAt = rs.getTimestamp(3).toInstant();
      }
    }
    record Row(String pipelineLabel, StageVocabulary.Stage stage) {}
    var byPipeline = new LinkedHashMap<String, List<Row>>();
    try (var ps = c.prepareStatement("SELECT pipeline_id, pipeline_label, stage_id, stage_label, stage_order, probability,"
        + " forecast_category, is_closed, is_won, is_active FROM stage_vocabulary WHERE source = ? AND version = ?"
        + " ORDER BY pipeline_order, stage_order, stage_id")) {
      ps.setString(1, source);
      ps.setInt(2, version);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          BigDecimal probability = rs.getBigDecimal(6);
          var stage = new StageVocabulary.Stage(rs.getString(3), rs.getString(4), rs.getInt(5),
              Optional.ofNullable(probability).map(BigDecimal::stripTrailingZeros), Optional.ofNullable(rs.getString(7)),
              rs.getBoolean(8), rs.getBoolean(9), rs.getBoolean(10));
          byPipeline.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Row(rs.getString(2), stage));
        }
      }
    }
    var pipelines = new ArrayList<StageVocabulary.Pipeline>();
    byPipeline.forEach((id, rows) -> pipelines.add(new StageVocabulary.Pipeline(id, rows.get(0).pipelineLabel(),
        rows.stream().map(Row::stage).toList())));
    return Optional.of(new Versioned(source, version, readAt, checkedAt, new StageVocabulary(pipelines)));
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** A stable text of the stages, so an unchanged answer from the CRM is recognised as one. */
  private static String canonical(StageVocabulary v) {
    var sb = new StringBuilder();
    for (var p : v.pipelines()) {
      sb.append("P\u0001").append(p.id()).append('\u0001').append(p.label()).append('\n');
      for (var s : p.stages()) {
        sb.append("S\u0001").append(s.id()).append('\u0001').append(s.label()).append('\u0001').append(s.order())
            .append('\u0001').append(s.probability().map(x -> x.stripTrailingZeros().toPlainString()).orElse(""))
            .append('\u0001').append(s.forecastCategory().orElse("")).append('\u0001').append(s.closed())
            .append(s.won()).append(s.active()).append('\n');
      }
    }
    return sb.toString();
  }
}
