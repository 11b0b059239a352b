WITH "t10" AS (
  SELECT
    "t3"."household_code",
    "t3"."basis",
    "t3"."reference_month",
    "t3"."wage",
    "t3"."business",
    "t3"."property",
    "t3"."transfer",
    "t3"."business_cost",
    "t3"."insurance_payout",
    "t3"."compliant_oop_medical",
    "t3"."household_net",
    "t3"."per_capita_net",
    "t3"."reference_month" || CASE
      WHEN "t3"."basis" = 'elimination'
      THEN '2'
      WHEN "t3"."basis" = 'identification'
      THEN '1'
      ELSE '0'
    END AS "key"
  FROM "income_blocks" AS "t3"
  WHERE
    "t3"."reference_month" >= '2024-08'
    AND "t3"."reference_month" <= '2025-07'
    AND (
      (
        "t3"."household_net" IS NOT NULL
      )
      OR (
        CASE
          WHEN ISNAN("t3"."per_capita_net")
          THEN CAST(NULL AS DOUBLE)
          ELSE "t3"."per_capita_net"
        END IS NOT NULL
      )
    )
)
SELECT
  '2025-06' AS "period",
  "t28"."village_code",
  "t28"."household_code",
  "t28"."member_id",
  'R2-INC-01' AS "rule_id",
  2 AS "rule_version",
  'registry' AS "department",
  CAST(NULL AS TEXT) AS "risk_type",
  'UNSTABLE' AS "category",
  "t28"."event_date",
  "t28"."value",
  "t28"."value2",
  "t28"."threshold",
  "t28"."share",
  "t28"."detail"
FROM (
  SELECT
    "t27"."household_code",
    "t27"."member_id",
    "t27"."event_date",
    "t27"."value",
    "t27"."value2",
    "t27"."threshold",
    "t27"."share",
    "t27"."detail",
    "t5"."village_code",
    "t5"."monitoring_category",
    "t5"."risk_types",
    "t5"."risk_eliminated"
  FROM (
    SELECT
      "t25"."household_code",
      CAST(NULL AS TEXT) AS "member_id",
      CAST(NULL AS DATE) AS "event_date",
      "t25"."pcni" AS "value",
      CAST(NULL AS DOUBLE) AS "value2",
      8700.0 AS "threshold",
      CAST(NULL AS DOUBLE) AS "share",
      'annual:' || "t25"."block_month" AS "detail"
    FROM (
      SELECT
        "t24"."household_code",
        "t24"."months",
        "t24"."members",
        "t24"."oop",
        "t24"."net",
        "t24"."pcni",
        "t24"."block_month"
      FROM (
        SELECT
          "t22"."household_code",
          COALESCE("t22"."months", 0) AS "months",
          "t22"."members",
          CASE
            WHEN (
              "t22"."months" IS NOT NULL
            ) AND (
              "t22"."months" >= 6
            )
            THEN "t22"."oop"
            ELSE CAST(COALESCE("t22"."compliant_oop_medical", 0) AS DOUBLE)
          END AS "oop",
          CASE
            WHEN (
              "t22"."months" IS NOT NULL
            ) AND (
              "t22"."months" >= 6
            )
            THEN (
              "t22"."net_sum" * 12
            ) / "t22"."months"
            ELSE COALESCE(
              CAST("t22"."household_net" AS DOUBLE),
              CASE
                WHEN ISNAN("t22"."per_capita_net")
                THEN CAST(NULL AS DOUBLE)
                ELSE "t22"."per_capita_net"
              END * "t22"."members"
            )
          END AS "net",
          CASE
            WHEN (
              "t22"."months" IS NOT NULL
            ) AND (
              "t22"."months" >= 6
            )
            THEN (
              (
                "t22"."net_sum" * 12
              ) / "t22"."months"
            ) / "t22"."members"
            ELSE COALESCE(
              CASE
                WHEN ISNAN("t22"."per_capita_net")
                THEN CAST(NULL AS DOUBLE)
                ELSE "t22"."per_capita_net"
              END,
              COALESCE(
                CAST("t22"."household_net" AS DOUBLE),
                CASE
                  WHEN ISNAN("t22"."per_capita_net")
                  THEN CAST(NULL AS DOUBLE)
                  ELSE "t22"."per_capita_net"
                END * "t22"."members"
              ) / "t22"."members"
            )
          END AS "pcni",
          CASE
            WHEN (
              "t22"."months" IS NOT NULL
            ) AND (
              "t22"."months" >= 6
            )
            THEN CAST(NULL AS TEXT)
            ELSE "t22"."reference_month"
          END AS "block_month"
        FROM (
          SELECT
            "t15"."household_code",
            "t15"."members",
            "t19"."net_sum",
            "t19"."months",
            "t19"."oop",
            "t21"."reference_month",
            "t21"."household_net",
            "t21"."per_capita_net",
            "t21"."compliant_oop_medical"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t6"."household_code",
                COUNT("t6"."member_id") AS "members"
              FROM (
                SELECT
                  *
                FROM "members" AS "t1"
                WHERE
                  "t1"."member_status" = 'active'
              ) AS "t6"
              GROUP BY
                1
            ) AS "t9"
            WHERE
              "t9"."members" > 0
          ) AS "t15"
          LEFT OUTER JOIN (
            SELECT
              "t12"."household_code",
              SUM("t12"."net") AS "net_sum",
              COUNT(DISTINCT "t12"."period") AS "months",
              CAST(SUM(COALESCE("t12"."compliant_oop_medical", 0)) AS DOUBLE) AS "oop"
            FROM (
              SELECT
                "t2"."household_code",
                "t2"."period",
                "t2"."wage",
                "t2"."business",
                "t2"."property",
                "t2"."transfer",
                "t2"."business_cost",
                "t2"."insurance_payout",
                "t2"."compliant_oop_medical",
                CAST((
                  COALESCE("t2"."wage", 0) + COALESCE("t2"."business", 0) + COALESCE("t2"."property", 0) + COALESCE("t2"."transfer", 0)
                ) - COALESCE("t2"."business_cost", 0) AS DOUBLE) AS "net"
              FROM "incomes" AS "t2"
              WHERE
                "t2"."period" >= '2024-07' AND "t2"."period" <= '2025-06'
            ) AS "t12"
            GROUP BY
              1
          ) AS "t19"
            ON "t15"."household_code" = "t19"."household_code"
          LEFT OUTER JOIN (
            SELECT
              "t13"."household_code",
              "t13"."reference_month",
              "t13"."household_net",
              "t13"."per_capita_net",
              "t13"."compliant_oop_medical"
            FROM "t10" AS "t13"
            INNER JOIN (
              SELECT
                "t11"."household_code",
                MAX("t11"."key") AS "top"
              FROM "t10" AS "t11"
              GROUP BY
                1
            ) AS "t17"
              ON "t13"."household_code" = "t17"."household_code" AND "t13"."key" = "t17"."top"
          ) AS "t21"
            ON "t15"."household_code" = "t21"."household_code"
        ) AS "t22"
        WHERE
          (
            (
              "t22"."months" IS NOT NULL
            ) AND (
              "t22"."months" >= 6
            )
          )
          OR (
            "t22"."reference_month" IS NOT NULL
          )
      ) AS "t24"
      INNER JOIN (
        SELECT
          "t0"."household_code"
        FROM "households" AS "t0"
        WHERE
          "t0"."household_type" = 'poverty_alleviated'
          AND (
            (
              "t0"."monitoring_category" IS NULL
            )
            OR COALESCE("t0"."risk_eliminated", FALSE)
          )
      ) AS "t8"
        ON "t24"."household_code" = "t8"."household_code"
    ) AS "t25"
    WHERE
      "t25"."pcni" < 8700.0
  ) AS "t27"
  INNER JOIN (
    SELECT
      "t0"."household_code",
      "t0"."village_code",
      "t0"."monitoring_category",
      "t0"."risk_types",
      "t0"."risk_eliminated"
    FROM "households" AS "t0"
  ) AS "t5"
    ON "t27"."household_code" = "t5"."household_code"
) AS "t28"
WHERE
  NOT (
    (
      "t28"."monitoring_category" IS NOT NULL
    )
    AND NOT (
      COALESCE("t28"."risk_eliminated", FALSE)
    )
  )
