SELECT
  '2025-06' AS "period",
  "t15"."village_code",
  "t15"."household_code",
  "t15"."member_id",
  'R7-WAT-01' AS "rule_id",
  1 AS "rule_version",
  'water' AS "department",
  'DRINKING_WATER' AS "risk_type",
  CAST(NULL AS TEXT) AS "category",
  "t15"."event_date",
  "t15"."value",
  "t15"."value2",
  "t15"."threshold",
  "t15"."share",
  "t15"."detail"
FROM (
  SELECT
    "t14"."household_code",
    "t14"."member_id",
    "t14"."event_date",
    "t14"."value",
    "t14"."value2",
    "t14"."threshold",
    "t14"."share",
    "t14"."detail",
    "t5"."village_code",
    "t5"."monitoring_category",
    "t5"."risk_types",
    "t5"."risk_eliminated"
  FROM (
    SELECT
      "t12"."household_code",
      CAST(NULL AS TEXT) AS "member_id",
      "t12"."event_date",
      CAST("t12"."value" AS DOUBLE) AS "value",
      CAST(NULL AS DOUBLE) AS "value2",
      30.0 AS "threshold",
      CAST(NULL AS DOUBLE) AS "share",
      CAST(NULL AS TEXT) AS "detail"
    FROM (
      SELECT
        "t11"."household_code",
        MIN("t11"."d") AS "event_date",
        MAX("t11"."v") AS "value"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t1"."household_code",
            "t1"."start_date" AS "d",
            "t1"."outage_days" AS "v"
          FROM "water" AS "t1"
          WHERE
            "t1"."batch_month" >= '2025-06'
            AND "t1"."batch_month" <= '2025-06'
            AND "t1"."event" = 'outage'
            AND "t1"."outage_days" > 30
            AND "t1"."household_code" IS NOT NULL
        ) AS "t6"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t4"."household_code",
              "t8"."start_date" AS "d",
              "t8"."outage_days" AS "v"
            FROM (
              SELECT
                *
              FROM "water" AS "t1"
              WHERE
                "t1"."batch_month" >= '2025-06'
                AND "t1"."batch_month" <= '2025-06'
                AND "t1"."event" = 'outage'
                AND "t1"."outage_days" > 30
                AND "t1"."household_code" IS NULL
            ) AS "t8"
            INNER JOIN (
              SELECT
                "t0"."household_code",
                "t0"."village_code"
              FROM "households" AS "t0"
            ) AS "t4"
              ON "t8"."village_code" = "t4"."village_code"
          ) AS "t9"
        ) AS "t10"
      ) AS "t11"
      GROUP BY
        1
    ) AS "t12"
  ) AS "t14"
  INNER JOIN (
    SELECT
      "t0"."household_code",
      "t0"."village_code",
      "t0"."monitoring_category",
      "t0"."risk_types",
      "t0"."risk_eliminated"
    FROM "households" AS "t0"
  ) AS "t5"
    ON "t14"."household_code" = "t5"."household_code"
) AS "t15"
WHERE
  NOT (
    (
      "t15"."monitoring_category" IS NOT NULL
    )
    AND NOT (
      COALESCE("t15"."risk_eliminated", FALSE)
    )
    AND COALESCE(ARRAY_CONTAINS("t15"."risk_types", 'DRINKING_WATER'), FALSE)
  )
