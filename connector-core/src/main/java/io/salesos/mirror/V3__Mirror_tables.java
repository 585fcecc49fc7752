package io.salesos.mirror;

import io.salesos.model.CanonicalSchema;
import java.sql.Timestamp;
import java.time.Instant;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Creates one typed mirror table per canonical object with a real column per standard field, from
 * {@link CanonicalSchema}, so the schema has one source of truth. Custom mapped fields are added
 * later, at start-up, by {@link MirrorSchema}.
 */
@SuppressWarnings("checkstyle:TypeName") // Flyway reads the version from this name
public final class V3__Mirror_tables extends BaseJavaMigration {

  @Override
  public void migrate(Context context) throws Exception {
    var connection = context.getConnection();
    try (var st = connection.createStatement();
        var record = connection.prepareStatement(
            "INSERT INTO mirror_column (canonical_object, column_name, sql_type, added_at, added_by) VALUES (?,?,?,?,?)")) {
      var now = Timestamp.from(Instant.now());
      for (var object : CanonicalSchema.objects()) {
        var fields = CanonicalSchema.standardFields(object);
        st.execute(MirrorTableDdl.createTable(SqlName.of(object), fields));
        for (var f : fields.entrySet()) {
          record.setString(1, object);
          record.setString(2, f.getKey());
          record.setString(3, f.getValue().sqlType());
          record.setTimestamp(4, now);
          record.setString(5, "flyway V3");
          record.addBatch();
        }
      }
      record.executeBatch();
    }
  }
}
