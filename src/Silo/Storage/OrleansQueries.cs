namespace Orca.Silo.Storage;

/// <summary>
/// Orca's tables and its queries for the contract of Orleans' ADO.NET providers: each provider reads its SQL by key
/// from the <c>OrleansQuery</c> table, binds parameters by name (<c>@GrainIdN0</c>, <c>@Version</c>, …) and reads result
/// columns by name. Written for this project against that contract (Orleans' published scripts were read, not copied):
/// one statement per query where the database allows it, upserts instead of stored procedures, the same text for
/// SQLite and PostgreSQL wherever their dialects agree.
/// </summary>
internal static class OrleansQueries
{
    /// <summary>Grain state (Microsoft.Orleans.Persistence.AdoNet). A grain is (service, type, id, extension); the
    /// version is the etag. A write inserts when no row exists and the grain read none, or updates when the versions
    /// match; anything else returns no row, which the provider reports as an InconsistentStateException.</summary>
    public static IEnumerable<(string Key, string Sql)> Persistence(bool postgres)
    {
        const string grainKey = """
            service_id = @ServiceId AND grain_type = @GrainTypeString AND grain_n0 = @GrainIdN0 AND grain_n1 = @GrainIdN1
            AND grain_ext = COALESCE(CAST(@GrainIdExtensionString AS TEXT), '')
            """;
        string now = postgres ? "now()" : "datetime('now')";
        yield return ("WriteToStorageKey", $"""
            INSERT INTO orca_grain_state (service_id, grain_type, grain_n0, grain_n1, grain_ext, grain_hash, type_hash, payload, version, modified_on)
            SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(CAST(@GrainIdExtensionString AS TEXT), ''),
                   @GrainIdHash, @GrainTypeHash, @PayloadBinary, 1, {now}
            WHERE CAST(@GrainStateVersion AS INTEGER) IS NULL OR EXISTS (SELECT 1 FROM orca_grain_state WHERE {grainKey})
            ON CONFLICT (service_id, grain_type, grain_n0, grain_n1, grain_ext) DO UPDATE
               SET payload = excluded.payload, version = orca_grain_state.version + 1, modified_on = excluded.modified_on
               WHERE orca_grain_state.version = CAST(@GrainStateVersion AS INTEGER)
            RETURNING version AS NewGrainStateVersion
            """);
        yield return ("ReadFromStorageKey", $"""
            SELECT payload AS PayloadBinary, version AS Version FROM orca_grain_state WHERE {grainKey}
            """);
        yield return ("ClearStorageKey", $"""
            UPDATE orca_grain_state SET payload = NULL, version = version + 1, modified_on = {now}
            WHERE {grainKey} AND version = CAST(@GrainStateVersion AS INTEGER)
            RETURNING version AS NewGrainStateVersion
            """);
    }

    /// <summary>Reminders (Microsoft.Orleans.Reminders.AdoNet): one row per (service, grain, name); the version is the
    /// etag; a silo reads the rows whose grain hash falls in its range of the ring.</summary>
    public static IEnumerable<(string Key, string Sql)> Reminders(bool postgres)
    {
        const string columns = "grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version";
        yield return ("UpsertReminderRowKey", """
            INSERT INTO orca_reminders (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
            VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
            ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
               SET start_time = excluded.start_time, period_ms = excluded.period_ms, grain_hash = excluded.grain_hash,
                   version = orca_reminders.version + 1
            RETURNING version AS Version
            """);
        yield return ("ReadReminderRowsKey", $"SELECT {columns} FROM orca_reminders WHERE service_id = @ServiceId AND grain_id = @GrainId");
        yield return ("ReadReminderRowKey",
            $"SELECT {columns} FROM orca_reminders WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName");
        yield return ("ReadRangeRows1Key",
            $"SELECT {columns} FROM orca_reminders WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash");
        yield return ("ReadRangeRows2Key",
            $"SELECT {columns} FROM orca_reminders WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)");
        const string delete = """
            DELETE FROM orca_reminders
            WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND version = CAST(@Version AS INTEGER)
            """;
        // SQLite has no DELETE inside WITH: it reports the rows the DELETE changed with changes().
        yield return ("DeleteReminderRowKey", postgres
            ? $"WITH deleted AS ({delete} RETURNING 1) SELECT COUNT(*)::int FROM deleted"
            : $"{delete}; SELECT changes()");
        yield return ("DeleteReminderRowsKey", "DELETE FROM orca_reminders WHERE service_id = @ServiceId");
    }

    /// <summary>Membership (Microsoft.Orleans.Clustering.AdoNet), PostgreSQL only: a version row per cluster that every
    /// change increments when it still holds the version the silo read (the protocol's optimistic concurrency), and a
    /// row per silo incarnation. Inserting and updating a member are one statement each: the version row's lock
    /// serializes concurrent writers, and a writer whose version is stale changes nothing and returns 0.</summary>
    public static IEnumerable<(string Key, string Sql)> Membership()
    {
        const string columns = """
            v.deployment_id AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
            m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort,
            m.suspect_times AS SuspectTimes, m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime, v.version AS Version
            """;
        yield return ("UpdateIAmAlivetimeKey", """
            UPDATE orca_membership SET i_am_alive_time = @IAmAliveTime
            WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
            """);
        yield return ("InsertMembershipVersionKey", """
            WITH inserted AS (
                INSERT INTO orca_membership_version (deployment_id, stamp, version) VALUES (@DeploymentId, now(), 0)
                ON CONFLICT (deployment_id) DO NOTHING RETURNING 1)
            SELECT COUNT(*)::int FROM inserted
            """);
        yield return ("InsertMembershipKey", """
            WITH bumped AS (
                UPDATE orca_membership_version SET version = version + 1, stamp = now()
                WHERE deployment_id = @DeploymentId AND version = @Version
                  AND NOT EXISTS (SELECT 1 FROM orca_membership WHERE deployment_id = @DeploymentId
                                  AND address = @Address AND port = @Port AND generation = @Generation)
                RETURNING deployment_id),
            inserted AS (
                INSERT INTO orca_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                                             proxy_port, start_time, i_am_alive_time)
                SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
                FROM bumped
                RETURNING 1)
            SELECT COUNT(*)::int FROM inserted
            """);
        yield return ("UpdateMembershipKey", """
            WITH bumped AS (
                UPDATE orca_membership_version SET version = version + 1, stamp = now()
                WHERE deployment_id = @DeploymentId AND version = @Version
                RETURNING deployment_id),
            updated AS (
                UPDATE orca_membership m SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
                FROM bumped
                WHERE m.deployment_id = bumped.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
                RETURNING 1)
            SELECT COUNT(*)::int FROM updated
            """);
        yield return ("MembershipReadRowKey", $"""
            SELECT {columns}
            FROM orca_membership_version v
            LEFT JOIN orca_membership m ON m.deployment_id = v.deployment_id
                 AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
            WHERE v.deployment_id = @DeploymentId
            """);
        yield return ("MembershipReadAllKey", $"""
            SELECT {columns}
            FROM orca_membership_version v LEFT JOIN orca_membership m ON m.deployment_id = v.deployment_id
            WHERE v.deployment_id = @DeploymentId
            """);
        yield return ("DeleteMembershipTableEntriesKey", """
            DELETE FROM orca_membership WHERE deployment_id = @DeploymentId;
            DELETE FROM orca_membership_version WHERE deployment_id = @DeploymentId;
            """);
        yield return ("GatewaysQueryKey", """
            SELECT address AS Address, proxy_port AS ProxyPort, generation AS Generation FROM orca_membership
            WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
            """);
        yield return ("CleanupDefunctSiloEntriesKey", """
            DELETE FROM orca_membership WHERE deployment_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status != 3
            """);
    }
}
