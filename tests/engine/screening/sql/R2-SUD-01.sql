WITH "t10" AS (
  SELECT
    "t4"."household_code",
    "t4"."basis",
    "t4"."reference_month",
    "t4"."wage",
    "t4"."business",
    "t4"."property",
    "t4"."transfer",
    "t4"."business_cost",
    "t4"."insurance_payout",
    "t4"."compliant_oop_medical",
    "t4"."household_net",
    "t4"."per_capita_net",
    "t4"."reference_month" || CASE
      WHEN "t4"."basis" = 'elimination'
      THEN '2'
      WHEN "t4"."basis" = 'identification'
      THEN '1'
      ELSE '0'
    END AS "key"
  FROM "income_blocks" AS "t4"
  WHERE
    "t4"."reference_month" >= '2024-08'
    AND "t4"."reference_month" <= '2025-07'
    AND (
      (
        "t4"."household_net" IS NOT NULL
      )
      OR (
        CASE
          WHEN ISNAN("t4"."per_capita_net")
          THEN CAST(NULL AS DOUBLE)
          ELSE "t4"."per_capita_net"
        END IS NOT NULL
      )
    )
)
SELECT
  '2025-06' AS "period",
  "t30"."village_code",
  "t30"."household_code",
  "t30"."member_id",
  'R2-SUD-01' AS "rule_id",
  2 AS "rule_version",
  'registry' AS "department",
  'ILLNESS' AS "risk_type",
  'SUDDEN' AS "category",
  "t30"."event_date",
  "t30"."value",
  "t30"."value2",
  "t30"."threshold",
  "t30"."share",
  "t30"."detail"
FROM (
  SELECT
    "t29"."household_code",
    "t29"."member_id",
    "t29"."event_date",
    "t29"."value",
    "t29"."value2",
    "t29"."threshold",
    "t29"."share",
    "t29"."detail",
    "t6"."village_code",
    "t6"."monitoring_category",
    "t6"."risk_types",
    "t6"."risk_eliminated"
  FROM (
    SELECT
      "t27"."household_code",
      CAST(NULL AS TEXT) AS "member_id",
      CAST(NULL AS DATE) AS "event_date",
      (
        "t27"."net" - GREATEST("t27"."oop", COALESCE("t27"."feed_oop", 0.0))
      ) / "t27"."members" AS "value",
      "t27"."pcni" AS "value2",
      8700.0 AS "threshold",
      GREATEST("t27"."oop", COALESCE("t27"."feed_oop", 0.0)) AS "share",
      'annual:' || "t27"."block_month" AS "detail"
    FROM (
      SELECT
        "t26"."household_code",
        "t26"."months",
        "t26"."members",
        "t26"."oop",
        "t26"."net",
        "t26"."pcni",
        "t26"."block_month",
        "t13"."household_code" AS "household_code_right",
        "t13"."feed_oop"
      FROM (
        SELECT
          "t24"."household_code",
          COALESCE("t24"."months", 0) AS "months",
          "t24"."members",
          CASE
            WHEN (
              "t24"."months" IS NOT NULL
            ) AND (
              "t24"."months" >= 6
            )
            THEN "t24"."oop"
            ELSE CAST(COALESCE("t24"."compliant_oop_medical", 0) AS DOUBLE)
          END AS "oop",
          CASE
            WHEN (
              "t24"."months" IS NOT NULL
            ) AND (
              "t24"."months" >= 6
            )
            THEN (
              "t24"."net_sum" * 12
            ) / "t24"."months"
            ELSE COALESCE(
              CAST("t24"."household_net" AS DOUBLE),
              CASE
                WHEN ISNAN("t24"."per_capita_net")
                THEN CAST(NULL AS DOUBLE)
                ELSE "t24"."per_capita_net"
              END * "t24"."members"
            )
          END AS "net",
          CASE
            WHEN (
              "t24"."months" IS NOT NULL
            ) AND (
              "t24"."months" >= 6
            )
            THEN (
              (
                "t24"."net_sum" * 12
              ) / "t24"."months"
            ) / "t24"."members"
            ELSE COALESCE(
              CASE
                WHEN ISNAN("t24"."per_capita_net")
                THEN CAST(NULL AS DOUBLE)
                ELSE "t24"."per_capita_net"
              END,
              COALESCE(
                CAST("t24"."household_net" AS DOUBLE),
                CASE
                  WHEN ISNAN("t24"."per_capita_net")
                  THEN CAST(NULL AS DOUBLE)
                  ELSE "t24"."per_capita_net"
                END * "t24"."members"
              ) / "t24"."members"
            )
          END AS "pcni",
          CASE
            WHEN (
              "t24"."months" IS NOT NULL
            ) AND (
              "t24"."months" >= 6
            )
            THEN CAST(NULL AS TEXT)
            ELSE "t24"."reference_month"
          END AS "block_month"
        FROM (
          SELECT
            "t17"."household_code",
            "t17"."members",
            "t21"."net_sum",
            "t21"."months",
            "t21"."oop",
            "t23"."reference_month",
            "t23"."household_net",
            "t23"."per_capita_net",
            "t23"."compliant_oop_medical"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t8"."household_code",
                COUNT("t8"."member_id") AS "members"
              FROM (
                SELECT
                  *
                FROM "members" AS "t2"
                WHERE
                  "t2"."member_status" = 'active'
              ) AS "t8"
              GROUP BY
                1
            ) AS "t9"
            WHERE
              "t9"."members" > 0
          ) AS "t17"
          LEFT OUTER JOIN (
            SELECT
              "t14"."household_code",
              SUM("t14"."net") AS "net_sum",
              COUNT(DISTINCT "t14"."period") AS "months",
              CAST(SUM(COALESCE("t14"."compliant_oop_medical", 0)) AS DOUBLE) AS "oop"
            FROM (
              SELECT
                "t3"."household_code",
                "t3"."period",
                "t3"."wage",
                "t3"."business",
                "t3"."property",
                "t3"."transfer",
                "t3"."business_cost",
                "t3"."insurance_payout",
                "t3"."compliant_oop_medical",
                CAST((
                  COALESCE("t3"."wage", 0) + COALESCE("t3"."business", 0) + COALESCE("t3"."property", 0) + COALESCE("t3"."transfer", 0)
                ) - COALESCE("t3"."business_cost", 0) AS DOUBLE) AS "net"
              FROM "incomes" AS "t3"
              WHERE
                "t3"."period" >= '2024-07' AND "t3"."period" <= '2025-06'
            ) AS "t14"
            GROUP BY
              1
          ) AS "t21"
            ON "t17"."household_code" = "t21"."household_code"
          LEFT OUTER JOIN (
            SELECT
              "t15"."household_code",
              "t15"."reference_month",
              "t15"."household_net",
              "t15"."per_capita_net",
              "t15"."compliant_oop_medical"
            FROM "t10" AS "t15"
            INNER JOIN (
              SELECT
                "t12"."household_code",
                MAX("t12"."key") AS "top"
              FROM "t10" AS "t12"
              GROUP BY
                1
            ) AS "t19"
              ON "t15"."household_code" = "t19"."household_code" AND "t15"."key" = "t19"."top"
          ) AS "t23"
            ON "t17"."household_code" = "t23"."household_code"
        ) AS "t24"
        WHERE
          (
            (
              "t24"."months" IS NOT NULL
            ) AND (
              "t24"."months" >= 6
            )
          )
          OR (
            "t24"."reference_month" IS NOT NULL
          )
      ) AS "t26"
      LEFT OUTER JOIN (
        SELECT
          "t7"."household_code",
          CAST(SUM("t7"."oop_compliant") AS DOUBLE) AS "feed_oop"
        FROM (
          SELECT
            *
          FROM "medical" AS "t1"
          WHERE
            "t1"."batch_month" <= '2025-06'
            AND "t1"."settle_date" >= MAKE_DATE(2024, 7, 1)
            AND "t1"."settle_date" < MAKE_DATE(2025, 7, 1)
            AND "t1"."household_code" IS NOT NULL
        ) AS "t7"
        GROUP BY
          1
      ) AS "t13"
        ON "t26"."household_code" = "t13"."household_code"
    ) AS "t27"
    WHERE
      "t27"."pcni" >= 8700.0
      AND (
        (
          "t27"."net" - GREATEST("t27"."oop", COALESCE("t27"."feed_oop", 0.0))
        ) / "t27"."members"
      ) < 8700.0
      AND GREATEST("t27"."oop", COALESCE("t27"."feed_oop", 0.0)) > 0
  ) AS "t29"
  INNER JOIN (
    SELECT
      "t0"."household_code",
      "t0"."village_code",
      "t0"."monitoring_category",
      "t0"."risk_types",
      "t0"."risk_eliminated"
    FROM "households" AS "t0"
  ) AS "t6"
    ON "t29"."household_code" = "t6"."household_code"
) AS "t30"
WHERE
  NOT (
    (
      "t30"."monitoring_category" IS NOT NULL
    )
    AND NOT (
      COALESCE("t30"."risk_eliminated", FALSE)
    )
  )
