package io.salesos.evaluate;

import io.salesos.mirror.Database;
import io.salesos.rules.CrmRecord;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The mirror of one connection read one partition at a time, so an evaluation holds one
 * partition's contexts and never the whole org: a full run cuts the accounts into ranges of about
 * {@code accountsPerPartition} ids (each partition every deal, contact, meeting and account whose
 * account id is in its range, deals and contacts without an account in the first), a run over a
 * set of deals cuts the set into chunks. Every subject falls in exactly one partition, and each
 * partition reads every record its subjects' contexts need, wherever it lives, so the verdicts
 * are those of the whole mirror read at once.
 */
public final class MirrorPartitions {

  /** Accounts per partition when none is given: a few thousand deals' contexts in memory at a time. */
  public static final int DEFAULT_ACCOUNTS = 2_000;

  private final Database database;
  private final String source;
  private final Instant now;
  private final int perPartition;

  public MirrorPartitions(Database database, String source, Instant now, int perPartition) {
    if (perPartition <= 0) {
      throw new IllegalArgumentException("a partition holds at least one account or deal, got " + perPartition);
    }
    this.database = database;
    this.source = source;
    this.now = now;
    this.perPartition = perPartition;
  }

  /** Every user of the connection (shared by the partitions of one run: forecast rollups walk the hierarchy). */
  public List<CrmRecord> owners() {
    try (var c = database.connection()) {
      return MirrorContextSource.owners(c, source);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the users of " + source + " for the rules: " + e.getMessage(), e);
    }
  }

  /** Hands each partition of the whole mirror to {@code each}, in account id order. */
  public void all(List<CrmRecord> owners, Consumer<MirrorContextSource> each) {
    Optional<String> after = Optional.empty();
    while (true) {
      var upTo = nextBoundary(after);
      each.accept(read(owners, new MirrorContextSource.Scope.AccountRange(after, upTo)));
      if (upTo.isEmpty()) {
        return;
      }
      after = upTo;
    }
  }

  /** Hands each chunk of {@code dealIds} to {@code each}: those deals' contexts, no other subject. */
  public void deals(Collection<String> dealIds, List<CrmRecord> owners, Consumer<MirrorContextSource> each) {
    var ids = new ArrayList<>(new TreeSet<>(dealIds));
    for (int from = 0; from < ids.size(); from += perPartition) {
      var chunk = new TreeSet<>(ids.subList(from, Math.min(ids.size(), from + perPartition)));
      each.accept(read(owners, new MirrorContextSource.Scope.Deals(chunk)));
    }
  }

  /** A partition of the given account id range (for tests that cut the mirror their own way). */
  MirrorContextSource range(List<CrmRecord> owners, Optional<String> after, Optional<String> upTo) {
    return read(owners, new MirrorContextSource.Scope.AccountRange(after, upTo));
  }

  private MirrorContextSource read(List<CrmRecord> owners, MirrorContextSource.Scope scope) {
    try (var c = database.connection()) {
      return new MirrorContextSource(c, source, now, owners, scope);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read a partition (" + scope + ") of the mirror of " + source
          + " for the rules: " + e.getMessage(), e);
    }
  }

  /** The account id that ends the partition after {@code after}, or empty when that partition runs to the end. */
  private Optional<String> nextBoundary(Optional<String> after) {
    var sql = "SELECT `id` FROM `account` WHERE `source` = ? AND `deleted` = FALSE" + (after.isPresent() ? " AND `id` > ?" : "")
        + " ORDER BY `id` LIMIT 1 OFFSET " + (perPartition - 1);
    try (var c = database.connection(); var ps = c.prepareStatement(sql)) {
      ps.setString(1, source);
      if (after.isPresent()) {
        ps.setString(2, after.get());
      }
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not cut the accounts of " + source + " into partitions: " + e.getMessage(), e);
    }
  }
}
