"""Published figures the generator is calibrated to, and the model's own assumptions.

Every number carries the source tag of domain.md (section and [V]/[VL]/[S]/[M]/[I] tag). [I]
values are this module's own design choices, stated so that they can be argued with.
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------- income targets
#: Rural per-capita disposable income of poverty-alleviated counties (脱贫县), yuan/year.
#: 2021 14,051 [V S39]; 2022 15,111 [V S34]; 2023 ≈16,396 [M]; 2024 17,522 [V S32];
#: 2025 = 2024 × 1.065 [I: H1-2025 real growth 6.6% [V S32]].
COUNTY_RURAL_INCOME = {2020: 12588, 2021: 14051, 2022: 15111, 2023: 16396, 2024: 17522,
                       2025: 18661}
COUNTY_RURAL_INCOME_SOURCE = {
    2020: "§9.1 [V S32]", 2021: "§9.1 [V S39]", 2022: "§9.1 [V S34]", 2023: "§9.1 [M]",
    2024: "§9.1 [V S32]", 2025: "§9.1 2024 × 1.065 [I from V S32]"}

#: Per-capita net income of people lifted out of poverty (脱贫人口), yuan/year.
#: 2020 10,740 [M]; 2022 14,342 [V S34, S35]; 2021 geometric mean of 2020 and 2022 [I];
#: 2023-2025 grow at the 脱贫县 rate + 1 pp (脱贫人口 income grew faster than the county
#: average in every published year) [I].
PA_INCOME = {2020: 10740, 2021: 12411, 2022: 14342, 2023: 15704, 2024: 16944, 2025: 18213}
PA_INCOME_SOURCE = {
    2020: "§9.1 [M]", 2021: "§9.1 interpolated [I]", 2022: "§9.1 [V S34]",
    2023: "§9.1 2022 × 1.095 [I]", 2024: "§9.1 2023 × 1.079 [I]", 2025: "§9.1 2024 × 1.075 [I]"}

#: Relocated 脱贫 people: 13,615 in 2022, wages ≈80% [V S41]; other years move with PA_INCOME.
RELOCATED_INCOME = {y: round(13615 * PA_INCOME[y] / PA_INCOME[2022]) for y in PA_INCOME}

#: Income structure shares of R1 net income (wage / net business / property+transfer).
#: Ordinary households take the 2022 national rural structure: wages 41.96%, household
#: operations 34.63% [V S40]. Poverty-alleviated households: migrant work "stabilises more
#: than two thirds" of their income [V S31] → wage share 0.68 [I]. Relocated: ≈80% [V S41].
WAGE_SHARE = {"ordinary": 0.4196, "poverty_alleviated": 0.68, "relocated": 0.80}
BUSINESS_SHARE_ORDINARY = 0.3463


def year_value(table: dict[int, float], year: int, growth: float = 0.06) -> float:
    """table[year], extrapolated at ``growth`` a year outside the table."""
    if year in table:
        return float(table[year])
    lo, hi = min(table), max(table)
    if year > hi:
        return table[hi] * (1 + growth) ** (year - hi)
    return table[lo] / (1 + growth) ** (lo - year)


# --------------------------------------------------------------------------- population
#: Share of households that are poverty-alleviated (建档立卡脱贫户). No source in domain.md
#: gives a county figure. 望谟 is one of Guizhou's 20 national key counties (§8.5 [V S61])
#: and exited poverty in the last batch (2020) [M]; Guizhou's registered poor population in
#: 2014 was roughly a quarter of its rural registered population [M]. Assumed: 35% of
#: households in a county scope, 25% in a prefecture or province scope [I].
PA_SHARE_COUNTY = 0.35
PA_SHARE_WIDER = 0.25
#: Share of poverty-alleviated households relocated (易地扶贫搬迁): Guizhou relocated about
#: 1.9 M people, roughly a fifth of its registered poor [M] → 0.20 [I]. 10% of relocated
#: households are ordinary households that moved with their village (同步搬迁) [I].
RELOCATED_SHARE_OF_PA = 0.20
RELOCATED_ORDINARY_SHARE = 0.10
#: Mean households per villagers' committee (default scope size): 望谟 has 160 villages and
#: the demo county is about 50,000 households → 310 [I]. Village sizes are lognormal.
HOUSEHOLDS_PER_VILLAGE = 310
VILLAGE_SIZE_SIGMA = 0.55

#: Registered household size 1..9 [I]: mean ≈3.45 (monitored households 3.3, sd 1.4,
#: §9.2 [I from VL S18]; 建档立卡 households averaged about 3.0-3.1 nationally [M]).
HOUSEHOLD_SIZE_P = (0.14, 0.19, 0.19, 0.21, 0.14, 0.08, 0.03, 0.015, 0.005)

#: Age-specific health prevalence (registry categories), before the PA multiplier [I/M].
#: Disabled ≈6% of persons (2006 national disability sample survey 6.34% [M]).
HEALTH_BY_AGE = {  # age band upper bound -> (serious_illness, chronic, disabled)
    16: (0.003, 0.005, 0.012),
    40: (0.005, 0.02, 0.03),
    60: (0.015, 0.09, 0.06),
    200: (0.03, 0.22, 0.13),
}
PA_HEALTH_MULTIPLIER = 1.5
#: GB/T 26341 categories, shares among disabled people (2006 survey) [M].
DISABILITY_TYPE_P = {"visual": 0.14, "hearing": 0.24, "speech": 0.015, "physical": 0.29,
                     "intellectual": 0.065, "mental": 0.07, "multiple": 0.17}
DISABILITY_GRADE_P = (0.12, 0.16, 0.28, 0.44)  # grades 1..4 [I]

#: Ethnic mix by division-code prefix (longest prefix wins), GB/T 3304 codes [M].
ETHNIC_MIX = {
    "": {"01": 0.95, "03": 0.02, "06": 0.03},
    "52": {"01": 0.62, "06": 0.12, "09": 0.08, "12": 0.05, "15": 0.04, "07": 0.03, "25": 0.01,
           "37": 0.02, "03": 0.01, "13": 0.01, "14": 0.01},
    "5201": {"01": 0.80, "09": 0.08, "06": 0.08, "03": 0.02, "37": 0.02},
    "5202": {"01": 0.70, "07": 0.10, "06": 0.09, "09": 0.06, "37": 0.03, "03": 0.02},
    "5203": {"01": 0.85, "37": 0.07, "06": 0.04, "15": 0.04},
    "5204": {"01": 0.60, "09": 0.22, "06": 0.15, "37": 0.03},
    "5205": {"01": 0.74, "07": 0.11, "06": 0.10, "03": 0.03, "09": 0.02},
    "5206": {"01": 0.30, "15": 0.40, "06": 0.18, "12": 0.12},
    "5223": {"01": 0.58, "09": 0.30, "06": 0.09, "07": 0.03},
    "522326": {"09": 0.60, "06": 0.16, "01": 0.20, "13": 0.03, "03": 0.01},
    "5226": {"06": 0.44, "12": 0.31, "01": 0.20, "25": 0.02, "13": 0.03},
    "5227": {"01": 0.40, "09": 0.34, "06": 0.14, "25": 0.10, "13": 0.02},
}

#: Destinations of out-of-province migrant work from Guizhou, by province code [I/M].
MIGRANT_DESTINATIONS = {"44": 0.50, "33": 0.22, "35": 0.10, "32": 0.05, "31": 0.03,
                        "50": 0.03, "53": 0.03, "45": 0.04}

# --------------------------------------------------------------------------- work and money
#: Work status among able (ordinary/skilled) non-students aged 16-59 [I], chosen so that
#: employed 脱贫 workers are about a third of the 脱贫 population (33 M workers [V S34] over
#: 99 M people lifted out of poverty [V S39]).
WORK_STATUS_P = {"farming": 0.45, "local_employed": 0.14, "migrant_in_province": 0.12,
                 "migrant_out_of_province": 0.29}
#: Mean monthly wage by work status, 2025 yuan (national migrant average ≈4,900 [M]);
#: growth 4% a year backwards [I].
WAGE_2025 = {"local_employed": 2900, "migrant_in_province": 3900,
             "migrant_out_of_province": 4800}
WAGE_GROWTH = 0.04
#: Share of gross wages that reaches the household's income (the rest pays for living away
#: from home): the national system records what the household gets, the migrant-work table
#: records the gross monthly wage (务工月收入) [I].
WAGE_RETAINED = {"local_employed": 0.9, "migrant_in_province": 0.6,
                 "migrant_out_of_province": 0.5}
#: Monthly work factor of migrants: home for the Spring Festival in Jan-Feb, bonus in Dec.
MIGRANT_SEASON = (0.55, 0.35, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.1)
LOCAL_SEASON = (0.8, 0.6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)
#: Farm income seasonality (share of the year's gross in each month) [I]: rice/maize harvest
#: Aug-Nov, livestock sold before the Spring Festival.
CROP_SEASON = (0.02, 0.02, 0.02, 0.02, 0.03, 0.05, 0.06, 0.14, 0.2, 0.22, 0.14, 0.08)
LIVESTOCK_SEASON = (0.25, 0.15, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.05, 0.1, 0.24)
COST_SEASON = (0.04, 0.08, 0.2, 0.2, 0.14, 0.08, 0.06, 0.05, 0.05, 0.04, 0.03, 0.03)
#: Transfers, yuan per person per month unless noted [M, rounded]: resident basic pension
#: (the national minimum rose by 20 yuan in 2024 and in 2025), 低保 benefit, 特困 support,
#: disability subsidies (两项补贴), public-welfare post wage.
PENSION = {2021: 110, 2022: 118, 2023: 128, 2024: 148, 2025: 168}
DIBAO_BENEFIT = {2021: 290, 2022: 305, 2023: 320, 2024: 340, 2025: 360}
TEKUN_BENEFIT = {2021: 600, 2022: 630, 2023: 660, 2024: 700, 2025: 740}
DISABILITY_SUBSIDY = 90
WELFARE_POST_WAGE = 700
LAND_SUBSIDY_PER_MU = 100  # 耕地地力保护补贴, paid in May [M]
FOREST_COMPENSATION_PER_MU = 15  # 生态公益林补偿, paid in December [M]

# --------------------------------------------------------------------------- shocks
#: Annual event rates [I]; costs in yuan. Medical totals are lognormal with these means; the
#: compliant out-of-pocket share after basic insurance, critical-illness insurance and
#: medical assistance is about 10% for 低保/特困/脱贫 people and 25% for others [I].
SHOCK_RATES = {
    "serious_illness": {16: 0.002, 40: 0.004, 60: 0.010, 200: 0.022},
    "chronic_illness": {40: 0.0, 60: 0.012, 200: 0.02},
    "disability": 0.002,
    "accident": 0.006,          # ages 16-65
    "disaster_village": 0.05,   # share of villages hit in a year
    "disaster_household": 0.35,  # share of a hit village's households affected
    "job_loss": 0.06,           # migrant workers
    "business_failure": 0.03,   # households with business income
    "birth": {20: 0.0, 35: 0.07, 41: 0.02, 200: 0.0},
}
SERIOUS_ILLNESS_COST = 60000
ACCIDENT_COST = 22000
OOP_SHARE = {"protected": 0.12, "other": 0.30}
#: Registry knowledge: probability that the registry learns of an event and the mean lag.
REGISTRY_KNOWS = {"serious_illness": 0.7, "chronic_illness": 0.5, "disability": 0.6,
                  "accident": 0.5, "disaster": 0.8, "job_loss": 0.4, "business_failure": 0.35,
                  "school_costs": 0.3, "death": 0.85, "birth": 0.8}
REGISTRY_LAG_MEAN = 2.0

# --------------------------------------------------------------------------- data errors
#: Default share of registry member and household rows carrying one planted error, and of
#: income rows. A few per cent of records with a defect is typical of what the Guizhou
#: clean-up rules find [I].
ERROR_RATE = 0.02
INCOME_ERROR_RATE = 0.001


@dataclass(frozen=True)
class Target:
    """One calibration target."""

    key: str
    label: str
    value: float
    low: float
    high: float
    source: str


def targets(years: list[int]) -> list[Target]:
    """The calibration targets checked by :mod:`dixian.engine.synth.calibration`."""
    out: list[Target] = []
    for y in years:
        if y in PA_INCOME:
            v = PA_INCOME[y]
            out.append(Target(f"pcni_pa_{y}", f"Per-capita net income, poverty-alleviated, {y}",
                              v, 0.95 * v, 1.05 * v, PA_INCOME_SOURCE[y]))
        if y in COUNTY_RURAL_INCOME:
            v = COUNTY_RURAL_INCOME[y]
            out.append(Target(f"pcni_all_{y}", f"Per-capita net income, all households, {y}",
                              v, 0.95 * v, 1.05 * v, COUNTY_RURAL_INCOME_SOURCE[y]))
    if 2022 in years:
        out.append(Target("pcni_relocated_2022", "Per-capita net income, relocated, 2022",
                          13615, 0.93 * 13615, 1.07 * 13615, "§9.1 [V S41]"))
    out += [
        Target("wage_share_ordinary", "Wage share of net income, ordinary households",
               0.4196, 0.38, 0.46, "§9.1 [V S40] (2022 national rural)"),
        Target("business_share_ordinary", "Net business share, ordinary households",
               0.3463, 0.29, 0.40, "§9.1 [V S40] (2022 national rural)"),
        Target("wage_share_pa", "Wage share of net income, poverty-alleviated",
               0.68, 0.64, 0.75, "§9.1 [V S31] (\"more than two thirds\")"),
        Target("wage_share_relocated", "Wage share of net income, relocated",
               0.80, 0.74, 0.86, "§8.3 [V S41]"),
        Target("property_share_all", "Property share of net income, all",
               0.025, 0.01, 0.04, "§9.1 [M] (≈2.5%); poverty areas 1.6% [V S111]"),
        Target("hh_size_all", "Mean registered household size", 3.45, 3.2, 3.7,
               "§9.2 [I] (monitored 3.3 [I from VL S18]; 建档立卡 ≈3.0 [M])"),
        Target("hh_size_monitored", "Mean size, monitored households", 3.3, 2.9, 3.8,
               "§9.2 [I from VL S18]"),
        Target("age_0_14", "Share of persons aged 0-14", 0.22, 0.18, 0.27,
               "Guizhou 2020 census 24% [M]"),
        Target("age_60_plus", "Share of persons aged 60+", 0.17, 0.13, 0.21,
               "Guizhou 2020 census 15.4%; rural registered older [M]"),
        Target("disabled_share", "Share of persons disabled", 0.0634, 0.045, 0.08,
               "2006 national disability survey 6.34% [M]"),
        Target("monitored_illness_share", "Monitored households with ILLNESS risk",
               0.40, 0.30, 0.50, "§9.2 [I] (35-45%; 44.1% of poor households 因病 [V S65])"),
        Target("pa_employed_share", "脱贫 persons in wage work (migrant or local)",
               0.33, 0.27, 0.39, "§3.3 33 M workers [V S34] / 99 M [V S39]"),
        Target("migrant_share_of_workers", "Out-of-county among wage workers", 0.65,
               0.55, 0.78, "§9.1 migrant work dominates PA income [V S31] [I]"),
        Target("dibao_person_share", "Persons on 低保", 0.08, 0.05, 0.12,
               "§5.1 40 M 低保 nationally [V S59]; higher in a key county [I]"),
        Target("monitored_dibao_tekun_share", "Monitored households with 低保/特困", 0.55,
               0.35, 0.80, "§9.2 77% in one county [VL S79] [I]"),
        Target("insured_share", "Persons with basic medical insurance", 0.995, 0.99, 1.0,
               "§6.1 >99% [V S33]"),
        Target("piped_water_share", "Households with tap water", 0.94, 0.92, 0.96,
               "§6.1 94% rural tap water (2025) [V S33]"),
        Target("dangerous_house_share", "Households in C/D houses", 0.005, 0.0, 0.015,
               "§1.3 housing guaranteed (三保障) [V S7, S33] [I]"),
        Target("unsafe_water_share", "Households without safe drinking water", 0.01, 0.0,
               0.025, "§1.3 / §6.1 water secured [V S33] [I]"),
        Target("monitored_share_of_pa_persons",
               "Cumulative monitored persons / 脱贫 persons", 0.12, 0.08, 0.16,
               "§9.2 10-12% [I]; Baoshan 13.99% [VL S18]"),
        Target("category_unstable", "Monitored households UNSTABLE", 0.307, 0.2, 0.45,
               "§9.2 Baoshan [VL S18]"),
        Target("category_marginal", "Monitored households MARGINAL", 0.298, 0.2, 0.45,
               "§9.2 Baoshan [VL S18]"),
        Target("category_sudden", "Monitored households SUDDEN", 0.396, 0.2, 0.5,
               "§9.2 Baoshan [VL S18]"),
        Target("eliminated_share", "Monitored persons with risk eliminated (end)", 0.75,
               0.6, 0.9, "§9.2 >7 M of ≈8-10 M [V S31 / I]"),
    ]
    return out
