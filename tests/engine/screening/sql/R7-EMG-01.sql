SELECT
  '2025-06' AS "period",
  "t8"."village_code",
  "t8"."household_code",
  "t8"."member_id",
  'R7-EMG-01' AS "rule_id",
  1 AS "rule_version",
  'emergency' AS "department",
  'DISASTER' AS "risk_type",
  CAST(NULL AS TEXT) AS "category",
  "t8"."event_date",
  "t8"."value",
  "t8"."value2",
  "t8"."threshold",
  "t8"."share",
  "t8"."detail"
FROM (
  SELECT
    "t7"."household_code",
    "t7"."member_id",
    "t7"."event_date",
    "t7"."value",
    "t7"."value2",
    "t7"."threshold",
    "t7"."share",
    "t7"."detail",
    "t3"."village_code",
    "t3"."monitoring_category",
    "t3"."risk_types",
    "t3"."risk_eliminated"
  FROM (
    SELECT
      "t5"."household_code",
      "t5"."member_id",
      "t5"."event_date",
      CAST("t5"."value" AS DOUBLE) AS "value",
      CAST(NULL AS DOUBLE) AS "value2",
      CAST(NULL AS DOUBLE) AS "threshold",
      CAST(NULL AS DOUBLE) AS "share",
      "t5"."detail"
    FROM (
      SELECT
        "t4"."household_code",
        "t4"."member_id",
        MIN("t4"."declared_date") AS "event_date",
        MAX("t4"."loss_yuan") AS "value",
        MIN("t4"."house_damage") AS "detail"
      FROM (
        SELECT
          *
        FROM "emergency" AS "t1"
        WHERE
          "t1"."batch_month" >= '2025-06'
          AND "t1"."batch_month" <= '2025-06'
          AND (
            "t1"."house_damage" IN ('severe', 'collapsed') OR (
              "t1"."loss_yuan" > 5000
            )
          )
          AND "t1"."household_code" IS NOT NULL
      ) AS "t4"
      GROUP BY
        1,
        2
    ) AS "t5"
  ) AS "t7"
  INNER JOIN (
    SELECT
      "t0"."household_code",
      "t0"."village_code",
      "t0"."monitoring_category",
      "t0"."risk_types",
      "t0"."risk_eliminated"
    FROM "households" AS "t0"
  ) AS "t3"
    ON "t7"."household_code" = "t3"."household_code"
) AS "t8"
WHERE
  NOT (
    (
      "t8"."monitoring_category" IS NOT NULL
    )
    AND NOT (
      COALESCE("t8"."risk_eliminated", FALSE)
    )
    AND COALESCE(ARRAY_CONTAINS("t8"."risk_types", 'DISASTER'), FALSE)
  )
