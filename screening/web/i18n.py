"""Every user-visible string of the web pages, in English and Azerbaijani (Latin script).

The module is over 400 lines on purpose: it is the one table of page strings that translators
read and a test checks key by key (the referral pages keep theirs beside it).
"""

from __future__ import annotations

from screening.web.i18n_referrals import REFERRAL_STRINGS

LANGUAGES: tuple[str, ...] = ("en", "az")
DEFAULT_LANGUAGE = "en"

# key: (English, Azerbaijani)
STRINGS: dict[str, tuple[str, str]] = {
    # frame
    "app_name": ("Forced-labour risk screening", "Məcburi əmək riskinin skrininqi"),
    "skip": ("Skip to content", "Məzmuna keç"),
    "nav_upload": ("Upload", "Yükləmə"),
    "nav_list": ("Follow-up list", "Təqib siyahısı"),
    "nav_dashboard": ("Dashboard", "İcmal paneli"),
    "nav_indicators": ("Indicators", "Göstəricilər"),
    "nav_model": ("Model", "Model"),
    "nav_guide": ("Column guide", "Sütun bələdçisi"),
    "api_docs": ("API documentation", "API sənədləri"),
    "sign_out": ("Sign out", "Çıxış"),
    "signed_in_as": ("Signed in as {name} ({role})", "{name} kimi daxil olunub ({role})"),
    "language": ("Language", "Dil"),
    "reasons_english_note": (
        "The evidence reasons stored with each screening are in English.",
        "Hər skrininqlə saxlanılan sübut əsaslandırmaları ingilis dilindədir."),
    # roles
    "role_inspector": ("inspector", "inspektor"),
    "role_monitor": ("monitoring centre", "monitorinq mərkəzi"),
    "role_analyst": ("analyst", "analitik"),
    "role_admin": ("administrator", "administrator"),
    # sign-in
    "sign_in_title": ("Sign in", "Daxil olun"),
    "sign_in_intro": ("Sign in with the token you were given for the service.",
                      "Xidmət üçün sizə verilmiş tokenlə daxil olun."),
    "token": ("Token", "Token"),
    "sign_in": ("Sign in", "Daxil ol"),
    "sign_in_wrong": ("The token is unknown or revoked. Check it and try again.",
                      "Token tanınmır və ya ləğv edilib. Yoxlayıb yenidən cəhd edin."),
    "signed_out": ("You have signed out.", "Sistemdən çıxdınız."),
    "landing_intro": (
        "Inspectors upload site-visit records; the monitoring centre reviews the ranked "
        "follow-up list; analysts check the model.",
        "İnspektorlar iş yerinə baş çəkmə qeydlərini yükləyir; monitorinq mərkəzi sıralanmış "
        "təqib siyahısını nəzərdən keçirir; analitiklər modeli yoxlayır."),
    "landing_api": ("Tools can use the HTTP API; see its documentation.",
                    "Proqramlar HTTP API-dən istifadə edə bilər; onun sənədlərinə baxın."),
    # errors
    "error_title": ("Something went wrong", "Xəta baş verdi"),
    "error_403": ("This page is not for your role ({role}).",
                  "Bu səhifə sizin rolunuz ({role}) üçün deyil."),
    "error_csrf": ("The form has expired or did not come from this site. Open the page again "
                   "and resend it.",
                   "Formanın vaxtı keçib və ya o bu saytdan göndərilməyib. Səhifəni yenidən "
                   "açıb təkrar göndərin."),
    "error_404": ("Not found: {what}.", "Tapılmadı: {what}."),
    "error_message": ("{message}", "{message}"),
    "error_500": ("The server could not answer this request. It was logged; try again, or tell "
                  "the administrator what you did.",
                  "Server bu sorğuya cavab verə bilmədi. Xəta qeydə alındı; yenidən cəhd edin "
                  "və ya nə etdiyinizi administratora bildirin."),
    "error_request": ("The request could not be used: {message}",
                      "Sorğudan istifadə etmək mümkün olmadı: {message}"),
    "back_home": ("Back to your start page", "Başlanğıc səhifənizə qayıdın"),
    # upload
    "upload_title": ("Upload site visits", "Yoxlama qeydlərinin yüklənməsi"),
    "upload_intro": (
        "Choose or drop the visits file (CSV, XLSX, JSON or Parquet) and, for CSV or Parquet, "
        "the interviews file. Every bad row is listed with its reason; good rows are stored.",
        "Yoxlamalar faylını (CSV, XLSX, JSON və ya Parquet) seçin və ya bura atın; CSV və "
        "Parquet üçün müsahibələr faylını da əlavə edin. Hər səhv sətir səbəbi ilə göstərilir; "
        "düzgün sətirlər saxlanılır."),
    "visits_file": ("Visits file", "Yoxlamalar faylı"),
    "interviews_file": ("Interviews file (optional)", "Müsahibələr faylı (istəyə bağlı)"),
    "upload_submit": ("Upload and screen", "Yüklə və skrininq et"),
    "uploading": ("Uploading…", "Yüklənir…"),
    "sample_file": ("Sample visits file (CSV)", "Nümunə yoxlamalar faylı (CSV)"),
    "sample_interviews": ("Sample interviews file (CSV)", "Nümunə müsahibələr faylı (CSV)"),
    "sample_errors": ("Sample file with bad rows", "Səhv sətirləri olan nümunə fayl"),
    "column_guide": ("Column guide", "Sütun bələdçisi"),
    "upload_error": ("The file {name} could not be used: {reason}",
                     "{name} faylından istifadə etmək mümkün olmadı: {reason}"),
    "no_file": ("Choose a visits file first.", "Əvvəlcə yoxlamalar faylını seçin."),
    "receipt": ("Receipt", "Qəbz"),
    "receipt_of": ("Upload {id}: {name}", "Yükləmə {id}: {name}"),
    "repeat_note": ("This file was uploaded before; this is the first upload's receipt and "
                    "nothing new was stored.",
                    "Bu fayl əvvəl yüklənib; bu, ilk yükləmənin qəbzidir və yeni heç nə "
                    "saxlanılmayıb."),
    "accepted_visits": ("Visits accepted", "Qəbul edilmiş yoxlamalar"),
    "accepted_interviews": ("Interviews accepted", "Qəbul edilmiş müsahibələr"),
    "rejected_count": ("Rows rejected (visits and interviews)",
                       "Rədd edilmiş sətirlər (yoxlamalar və müsahibələr)"),
    "rejected_rows": ("Rejected rows", "Rədd edilmiş sətirlər"),
    "rejected_none": ("No row was rejected.", "Heç bir sətir rədd edilməyib."),
    "rejected_csv": ("Download the rejected rows (CSV)", "Rədd edilmiş sətirləri endir (CSV)"),
    "col_table": ("Table", "Cədvəl"),
    "col_row": ("Row", "Sətir"),
    "col_column": ("Column", "Sütun"),
    "col_value": ("Value", "Dəyər"),
    "col_reason": ("Reason", "Səbəb"),
    "col_message": ("Message", "İzah"),
    "messages_english_note": ("Reason codes and messages come from the validator in English.",
                              "Səbəb kodları və izahlar yoxlayıcıdan ingilis dilində gəlir."),
    "new_tiers": ("Tiers of the new visits", "Yeni yoxlamaların səviyyələri"),
    "visits": ("Visits", "Yoxlamalar"),
    "upload_another": ("Upload another file", "Başqa fayl yüklə"),
    # guide
    "guide_title": ("Upload columns", "Yükləmə sütunları"),
    "guide_intro": (
        "An empty cell means unknown, never false. Booleans accept true/false, yes/no, 1/0. "
        "Extra columns are kept and ignored. Dates are ISO (2025-03-01).",
        "Boş xana “naməlum” deməkdir, heç vaxt “yox” demək deyil. Məntiqi dəyərlər "
        "true/false, yes/no, 1/0 qəbul edir. Əlavə sütunlar saxlanılır, lakin nəzərə "
        "alınmır. Tarixlər ISO formatındadır (2025-03-01)."),
    "guide_visits": ("visits: one row per site visit", "visits: hər yoxlama üçün bir sətir"),
    "guide_interviews": ("interviews: one row per interviewed worker (pseudonymous)",
                         "interviews: hər müsahibə edilmiş işçi üçün bir sətir (təxəllüslü)"),
    "col_type": ("Type", "Növ"),
    "col_required": ("Required", "Məcburi"),
    "col_allowed": ("Allowed values", "İcazə verilən dəyərlər"),
    "yes": ("yes", "bəli"),
    "no": ("no", "xeyr"),
    "at_most": ("at most {column}", "{column} sütunundan çox olmamalı"),
    "kind_text": ("text", "mətn"),
    "kind_int": ("whole number", "tam ədəd"),
    "kind_number": ("number", "ədəd"),
    "kind_bool": ("true/false", "bəli/xeyr"),
    "kind_date": ("date", "tarix"),
    "kind_choice": ("one of", "siyahıdan biri"),
    # list
    "list_title": ("Follow-up list", "Təqib siyahısı"),
    "list_total": ("{total} visits match; page {page} of {pages}.",
                   "{total} yoxlama uyğun gəlir; səhifə {page} / {pages}."),
    "filters": ("Filters", "Filtrlər"),
    "region": ("Region", "Region"),
    "sector": ("Sector", "Sahə"),
    "tier": ("Tier", "Səviyyə"),
    "status": ("Review status", "Baxış statusu"),
    "date_from": ("From", "Başlanğıc"),
    "date_to": ("To", "Son"),
    "any": ("any", "hamısı"),
    "apply_filters": ("Apply", "Tətbiq et"),
    "clear_filters": ("Clear", "Təmizlə"),
    "next_page": ("Next page", "Növbəti səhifə"),
    "prev_page": ("Previous page", "Əvvəlki səhifə"),
    "export_xlsx": ("Export XLSX", "XLSX kimi ixrac et"),
    "export_csv": ("Export CSV", "CSV kimi ixrac et"),
    "col_rank": ("Rank", "Sıra"),
    "col_visit": ("Visit", "Yoxlama"),
    "col_site": ("Site", "İş yeri"),
    "col_date": ("Date", "Tarix"),
    "col_risk": ("Risk score", "Risk balı"),
    "col_rule": ("Rule score", "Qayda balı"),
    "col_reasons": ("First reasons", "İlk əsaslar"),
    "col_icls": ("ICLS workers", "ICLS işçiləri"),
    "col_exploration": ("Exploration", "Kəşfiyyat"),
    "exploration_mark": ("random slot", "təsadüfi yer"),
    "open": ("Open", "Aç"),
    "no_visits": ("No visit matches these filters.", "Bu filtrlərə uyğun yoxlama yoxdur."),
    "bad_filter": ("A filter was not understood: {message}", "Filtr başa düşülmədi: {message}"),
    "bad_date": ("'{value}' is not a date (use YYYY-MM-DD).",
                 "'{value}' tarix deyil (İİİİ-AA-GG formatından istifadə edin)."),
    "not_interviewed": ("no interviews", "müsahibə yoxdur"),
    "no_model_score": ("no model", "model yoxdur"),
    # tiers, statuses, outcomes, sectors
    "tier_urgent": ("urgent", "təcili"),
    "tier_high": ("high", "yüksək"),
    "tier_medium": ("medium", "orta"),
    "tier_low": ("low", "aşağı"),
    "status_none": ("not reviewed", "baxılmayıb"),
    "status_scheduled": ("scheduled", "planlaşdırılıb"),
    "status_visited": ("visited", "baş çəkilib"),
    "status_decided": ("decided", "qərar verilib"),
    "outcome_forced_labour": ("forced labour", "məcburi əmək"),
    "outcome_labour_violation": ("labour violation", "əmək qanunvericiliyinin pozuntusu"),
    "outcome_no_violation": ("no violation", "pozuntu yoxdur"),
    "sector_construction": ("construction", "tikinti"),
    "sector_agriculture": ("agriculture", "kənd təsərrüfatı"),
    "sector_services": ("services", "xidmətlər"),
    "all_sectors": ("all sectors", "bütün sahələr"),
    # visit detail
    "visit_title": ("Visit {id}", "Yoxlama {id}"),
    "visit_facts": ("Site {site} · {sector} · {region} · {date} · inspector {inspector}",
                    "İş yeri {site} · {sector} · {region} · {date} · inspektor {inspector}"),
    "score_title": ("Tier and scores", "Səviyyə və ballar"),
    "risk_explained": ("Risk score {risk} from model {model}.",
                       "{model} modelinə görə risk balı {risk}."),
    "risk_none": ("No model scored this visit: the tier comes from the rules alone.",
                  "Bu yoxlamanı heç bir model qiymətləndirməyib: səviyyə yalnız "
                  "qaydalardan gəlir."),
    "rule_explained": ("Rule score {score}: the weights of the fired indicators below, each "
                       "fact counted once (corroborating indicators add nothing).",
                       "Qayda balı {score}: aşağıdakı işə düşmüş göstəricilərin çəkiləri, hər "
                       "fakt bir dəfə sayılır (təsdiqedici göstəricilər heç nə əlavə etmir)."),
    "raised_by": ("What raised it", "Onu nə yüksəltdi"),
    "fired_title": ("Fired indicators (strongest first)",
                    "İşə düşmüş göstəricilər (ən güclüsü əvvəl)"),
    "no_fired": ("No indicator fired.", "Heç bir göstərici işə düşməyib."),
    "col_indicator": ("Indicator", "Göstərici"),
    "col_weight": ("Weight", "Çəki"),
    "col_evidence": ("Evidence", "Sübut"),
    "col_frameworks": ("Framework references", "Çərçivə istinadları"),
    "tier_floor": ("tier floor: {tier}", "minimum səviyyə: {tier}"),
    "stored_reasons": ("Reasons stored with the screening", "Skrininqlə saxlanılan əsaslar"),
    "workers_title": ("Interviewed workers: ICLS 2018 test",
                      "Müsahibə edilmiş işçilər: ICLS 2018 testi"),
    "workers_none": ("No worker was interviewed at this visit.",
                     "Bu yoxlamada heç bir işçi ilə müsahibə aparılmayıb."),
    "col_worker": ("Worker (pseudonymous)", "İşçi (təxəllüslü)"),
    "col_involuntariness": ("Involuntariness signs", "Qeyri-könüllülük əlamətləri"),
    "col_coercion": ("Coercion signs", "Məcburetmə əlamətləri"),
    "col_icls_result": ("ICLS result", "ICLS nəticəsi"),
    "icls_positive": ("meets the test", "testə uyğundur"),
    "icls_negative": ("does not meet the test", "testə uyğun deyil"),
    "icls_unknown": ("unknown", "naməlum"),
    "timeline_title": ("Earlier visits to this site", "Bu iş yerinə əvvəlki yoxlamalar"),
    "timeline_none": ("No other visit to this site is stored.",
                      "Bu iş yerinə başqa yoxlama saxlanılmayıb."),
    "this_visit": ("this visit", "bu yoxlama"),
    "col_outcome": ("Outcome", "Nəticə"),
    "reviews_title": ("Reviews", "Baxışlar"),
    "reviews_none": ("No review yet.", "Hələ baxış yoxdur."),
    "review_form": ("Record a review", "Baxışı qeyd edin"),
    "review_readonly": ("Only the monitoring centre records reviews.",
                        "Baxışları yalnız monitorinq mərkəzi qeyd edir."),
    "scheduled_for": ("Scheduled for", "Planlaşdırılan tarix"),
    "inspector": ("Inspector", "İnspektor"),
    "outcome": ("Outcome", "Nəticə"),
    "notes": ("Notes", "Qeydlər"),
    "review_submit": ("Save review", "Baxışı saxla"),
    "review_refused": ("The review was not saved: {message}",
                       "Baxış saxlanılmadı: {message}"),
    "review_saved": ("The review was saved.", "Baxış saxlanıldı."),
    "col_recorded": ("Recorded", "Qeyd edilib"),
    # indicators
    "indicators_title": ("Indicator catalogue", "Göstəricilər kataloqu"),
    "indicators_intro": (
        "Each indicator encodes framework references; a reference built on a source that was "
        "not verified is marked.",
        "Hər göstərici çərçivə istinadlarına əsaslanır; yoxlanılmamış mənbəyə əsaslanan "
        "istinad işarələnib."),
    "unverified": ("unverified source", "yoxlanılmamış mənbə"),
    "sources_title": ("Sources", "Mənbələr"),
    "level_site": ("site", "iş yeri"),
    "level_worker": ("worker", "işçi"),
    "col_level": ("Level", "Səviyyə növü"),
    "col_sources": ("Sources", "Mənbələr"),
    "col_legal": ("Legal reference", "Hüquqi istinad"),
    "fw_ILO-11": ("ILO indicators of forced labour", "BƏT-in məcburi əmək göstəriciləri"),
    "fw_ICLS-2018": ("ICLS 2018 statistical definition", "ICLS 2018 statistik tərifi"),
    "fw_ILO-EC-2009": ("ILO/EC operational indicators (2009)",
                       "BƏT/AK əməliyyat göstəriciləri (2009)"),
    "fw_AZ-LAW": ("Law of Azerbaijan", "Azərbaycan qanunvericiliyi"),
    "fw_UNODC": ("UNODC indicators", "UNODC göstəriciləri"),
    "fw_GLAA": ("GLAA licensing standards", "GLAA lisenziya standartları"),
    "tier_policy_title": ("How a visit gets its tier", "Yoxlamanın səviyyəsi necə müəyyən edilir"),
    "tier_policy_scoring": (
        "Urgent visits come first (each opens a referral case). The others are ordered by risk "
        "score, then tier, when a model is used, and by tier, then rule score, without one. "
        "In the rule score each fact counts once: an indicator that only corroborates a fact a "
        "stronger indicator already counted adds nothing.",
        "Təcili yoxlamalar birinci gəlir (hər biri yönləndirmə işi açır). Digərləri model "
        "olduqda risk balına, sonra səviyyəyə, model olmadıqda isə səviyyəyə, sonra qayda "
        "balına görə sıralanır. Qayda balında hər fakt bir dəfə sayılır: daha güclü "
        "göstəricinin artıq saydığı faktı yalnız təsdiqləyən göstərici heç nə əlavə etmir."),
    "nav_statistics": ("Yearly statistics", "İllik statistika"),
    "statistics_title": ("Yearly statistics by sector and region",
                         "Sahələr və regionlar üzrə illik statistika"),
    "statistics_intro": (
        "The visits of one year and what they found, like the national report's own table: "
        "counts of people are what the visits recorded; 'all' rows are totals.",
        "Bir ilin yoxlamaları və onların aşkar etdikləri, milli hesabatın öz cədvəli kimi: "
        "şəxslərin sayı yoxlamaların qeydə aldığıdır; 'all' sətirləri yekunlardır."),
    "year": ("Year", "İl"),
    "stat_sector": ("Sector", "Sahə"),
    "stat_region": ("Region (all = total)", "Region (all = cəmi)"),
    "stat_visits": ("Visits", "Yoxlamalar"),
    "stat_visits_with_interviews": ("Visits with interviews", "Müsahibə aparılan yoxlamalar"),
    "stat_workers_without_contract": ("Workers without a contract",
                                      "Müqaviləsiz işçilər"),
    "stat_foreign_without_permit": ("Foreign workers without a permit",
                                    "İcazəsiz əcnəbi işçilər"),
    "stat_minors_under_18": ("Minors under 18", "18 yaşdan kiçiklər"),
    "stat_children_below_minimum_age": ("Children below the minimum age (15)",
                                        "Minimum yaşdan (15) kiçik uşaqlar"),
    "stat_children_street_work": ("Children in street work or begging",
                                  "Küçədə işləyən və ya dilənçilik edən uşaqlar"),
    "stat_icls_positive_workers": ("Workers meeting the ICLS test",
                                   "ICLS meyarına cavab verən işçilər"),
    "stat_icls_unknown_workers": ("Workers who could not be tested",
                                  "Yoxlanıla bilməyən işçilər"),
    "stat_urgent_visits": ("Urgent visits", "Təcili yoxlamalar"),
    "stat_confirmed_forced_labour": ("Confirmed forced labour", "Təsdiqlənmiş məcburi əmək"),
    "fw_NGO": ("Non-governmental organisations' guidance",
               "Qeyri-hökumət təşkilatlarının təlimatları"),
    "fw_NATIONAL": ("National report and official figures",
                    "Milli hesabat və rəsmi göstəricilər"),
    "corroborating": ("corroborating: a stronger indicator already counted this fact",
                      "təsdiqedici: bu faktı daha güclü göstərici artıq hesablayıb"),
    "col_never_asked": ("ICLS items never asked", "Heç soruşulmamış ICLS bəndləri"),
    "col_icls_unknown": ("workers who could not be tested", "yoxlanıla bilməyən işçilər"),
    "icls_none_tested": ("no worker could be tested", "heç bir işçini yoxlamaq mümkün olmadı"),
    "fw_HTCDS": ("Human Trafficking Case Data Standard",
                 "İnsan alveri işləri üzrə məlumat standartı"),
    # model
    "model_title": ("Model", "Model"),
    "model_none": ("No model is active: new uploads are ranked by the rules alone.",
                   "Aktiv model yoxdur: yeni yükləmələr yalnız qaydalarla sıralanır."),
    "model_missing": ("The active model {name} cannot be read: {reason}",
                      "Aktiv model {name} oxuna bilmir: {reason}"),
    "card_title": ("Model card: {version}", "Model kartı: {version}"),
    "card_summary": ("Summary", "Xülasə"),
    "card_created": ("Created", "Yaradılıb"),
    "card_training": ("Training data", "Təlim məlumatları"),
    "card_training_text": ("{train} visits ({positives} forced labour) from {start} to {end}; "
                           "tested on {test} later visits.",
                           "{start} – {end} dövrünə aid {train} yoxlama ({positives} məcburi "
                           "əmək); sonrakı {test} yoxlama üzərində yoxlanılıb."),
    "synthetic_data": ("Synthetic data", "Sintetik məlumatlar"),
    "card_threshold": ("Escalation threshold", "Yüksəltmə həddi"),
    "card_intended": ("Intended use", "Nəzərdə tutulan istifadə"),
    "card_limitations": ("Limitations", "Məhdudiyyətlər"),
    "card_english_note": ("The card's texts are in English.",
                          "Kartın mətnləri ingilis dilindədir."),
    "metrics_title": ("Metrics at capacity k = {k}", "Tutum k = {k} üzrə göstəricilər"),
    "col_ordering": ("Ordering", "Sıralama"),
    "col_precision": ("Precision@k", "Dəqiqlik@k"),
    "col_recall": ("Recall@k", "Tamlıq@k"),
    "col_lift": ("Lift", "Artım"),
    "col_gap": ("Gap to overall", "Ümumidən fərq"),
    "col_group": ("Group", "Qrup"),
    "col_visits": ("Visits", "Yoxlamalar"),
    "col_positives": ("Forced labour", "Məcburi əmək"),
    "col_caught": ("Found within capacity", "Tutum daxilində aşkar edilən"),
    "by_sector": ("Recall by sector", "Sahələr üzrə tamlıq"),
    "by_region": ("Recall by region", "Regionlar üzrə tamlıq"),
    "probability_title": ("PR AUC {pr_auc}; Brier score {brier} (predicting the prevalence: "
                          "{baseline})",
                          "PR AUC {pr_auc}; Brier balı {brier} (yayılma səviyyəsini proqnoz "
                          "etməklə: {baseline})"),
    "plots_title": ("Plots", "Qrafiklər"),
    "plot_precision_recall.png": ("Precision and recall", "Dəqiqlik və tamlıq"),
    "plot_calibration.png": ("Calibration", "Kalibrləmə"),
    "plot_recall_by_capacity.png": ("Recall against capacity", "Tutuma görə tamlıq"),
    "versions_title": ("Model versions", "Model versiyaları"),
    "col_version": ("Version", "Versiya"),
    "col_active": ("Active", "Aktiv"),
    "active_mark": ("active", "aktiv"),
    "switch_title": ("Switch the active model", "Aktiv modeli dəyişin"),
    "switch_rules_only": ("none (rules only)", "heç biri (yalnız qaydalar)"),
    "switch_submit": ("Make active", "Aktiv et"),
    "switch_unknown": ("There is no model version {name}.", "{name} adlı model versiyası yoxdur."),
    # dashboard
    "dashboard_title": ("Dashboard", "İcmal paneli"),
    "period": ("Period", "Dövr"),
    "show": ("Show", "Göstər"),
    "by_tier": ("Visits by tier", "Səviyyələr üzrə yoxlamalar"),
    "by_sector_count": ("Visits by sector", "Sahələr üzrə yoxlamalar"),
    "by_region_count": ("Visits by region", "Regionlar üzrə yoxlamalar"),
    "urgent_unscheduled": ("Urgent visits without a scheduled follow-up: {count}",
                           "Planlaşdırılmış təqibi olmayan təcili yoxlamalar: {count}"),
    "urgent_unscheduled_link": ("Show them in the follow-up list",
                                "Onları təqib siyahısında göstər"),
    "total_visits": ("{total} visits in the period.", "Dövr ərzində {total} yoxlama."),
    "chart_label": ("{label}: {count}", "{label}: {count}"),
    # promotion
    "promote_intro": (
        "A model becomes active only here (or with `screening models promote`): it is compared "
        "with the active model on the most recent decided visits neither has seen, and refused "
        "when it is worse on recall at capacity or calibration, unless forced with a reason.",
        "Model yalnız burada (və ya `screening models promote` ilə) aktiv olur: o, aktiv "
        "modellə heç birinin görmədiyi ən son qərarlaşdırılmış yoxlamalarda müqayisə edilir və "
        "tutum daxilində tamlıq və ya kalibrləmə üzrə daha pis olduqda, səbəb yazılmadan "
        "məcbur edilməsə, rədd edilir."),
    "compare_caption": ("On {visits} decided visits dated after {since} ({positives} forced "
                        "labour)",
                        "{since} tarixindən sonrakı {visits} qərarlaşdırılmış yoxlamada "
                        "({positives} məcburi əmək)"),
    "retrain_hint": (
        "To retrain: `make notebook` opens notebooks/retrain.ipynb (with FROM_STORE = True it "
        "reads this service's store), or run `screening train --from-store --out VERSION`; "
        "see how the list does on decided follow-ups on the Performance page.",
        "Yenidən öyrətmək üçün: `make notebook` notebooks/retrain.ipynb faylını açır "
        "(FROM_STORE = True olduqda bu xidmətin bazasını oxuyur) və ya `screening train "
        "--from-store --out VERSION` icra edin; siyahının qərarlaşdırılmış təqiblərdə "
        "nəticəliliyi Nəticəlilik səhifəsindədir."),
    "promote_force": ("Make it active anyway", "Yenə də aktiv et"),
    "promote_reason": ("Why (kept in the model's card)", "Səbəb (modelin kartında saxlanılır)"),
    "plot_full_size": ("full size", "tam ölçüdə"),
    "drift_over_time": ("Drift over time (population stability index per month; the line marks "
                        "the warning threshold)",
                        "Zamanla fərqlənmə (aylar üzrə populyasiya sabitliyi indeksi; xətt "
                        "xəbərdarlıq həddini göstərir)"),
    "drift_chart_label": ("Population stability index of {column} by month",
                          "{column} üzrə aylıq populyasiya sabitliyi indeksi"),
    # drift
    "drift_warning": ("The visits have drifted from the model's training data in {columns}: "
                      "its risk scores may be off until it is retrained.",
                      "Yoxlamalar modelin təlim məlumatlarından {columns} üzrə fərqlənir: "
                      "model yenidən öyrədilənə qədər risk balları səhv ola bilər."),
    "drift_detail": ("{column} in {month}: population stability index {psi}, unknown "
                     "{unknown} (training {training}).",
                     "{column}, {month}: populyasiya sabitliyi indeksi {psi}, naməlum "
                     "{unknown} (təlimdə {training})."),
    # live performance (analyst)
    "nav_performance": ("Performance", "Nəticəlilik"),
    "perf_title": ("How the list does on decided follow-ups",
                   "Siyahının qərarlaşdırılmış təqiblərdə nəticəliliyi"),
    "perf_intro": ("From the outcomes reviewers recorded for the visits screened by {model}: "
                   "{decided} decided visits.",
                   "{model} ilə skrininq edilmiş yoxlamalar üçün rəyçilərin qeyd etdiyi "
                   "nəticələrdən: {decided} qərarlaşdırılmış yoxlama."),
    "perf_all_models": ("every model version", "bütün model versiyaları"),
    "perf_rules_only": ("the rules alone", "yalnız qaydalar"),
    "perf_none": ("No follow-up has been decided yet: nothing to measure.",
                  "Hələ heç bir təqib qərarlaşdırılmayıb: ölçüləcək bir şey yoxdur."),
    "perf_by_tier": ("Hit rate by tier", "Səviyyələr üzrə aşkarlama payı"),
    "perf_by_band": ("Hit rate by risk-score band", "Risk balı intervalları üzrə aşkarlama payı"),
    "perf_exploration": (
        "Exploration slots: {slots} drawn at random, {hits} forced labour ({rate}; 95% interval "
        "{low} to {high}). This is the estimate for the visits the list left unflagged.",
        "Kəşfiyyat yerləri: təsadüfi seçilmiş {slots}, məcburi əmək {hits} ({rate}; 95% interval "
        "{low} – {high}). Bu, siyahının qeyd etmədiyi yoxlamalar üçün təxmindir."),
    "perf_capacity": (
        "At capacity: {found} forced-labour visits among {decided} decided at the top of the "
        "list (precision {precision}); recall {recall} of an estimated {estimated} (each "
        "decided visit weighted by the inverse of its selection probability).",
        "Tutum daxilində: siyahının başında qərarlaşdırılmış {decided} yoxlamadan {found} "
        "məcburi əmək (dəqiqlik {precision}); təxmini {estimated} yoxlamadan tamlıq {recall} "
        "(hər yoxlama seçilmə ehtimalının tərsi ilə çəkilir)."),
    "perf_calibration": ("Calibration on decided visits",
                         "Qərarlaşdırılmış yoxlamalarda kalibrləmə"),
    "perf_labels": ("Decided outcomes by {by}", "{by} üzrə qərarlaşdırılmış nəticələr"),
    "perf_by_month": ("month", "ay"),
    "perf_by_sector": ("sector", "sahə"),
    "perf_by_region": ("region", "bölgə"),
    "col_decided": ("Decided", "Qərarlaşdırılıb"),
    "col_fl_rate": ("Forced labour", "Məcburi əmək"),
    "col_lv_rate": ("Labour violation", "Əmək qanunu pozuntusu"),
    "col_nv_rate": ("Nothing found", "Pozuntu aşkarlanmayıb"),
    "col_interval": ("95% interval", "95% etibarlılıq intervalı"),
    "col_mean_predicted": ("Mean risk score", "Orta risk balı"),
    "col_observed": ("Observed share", "Müşahidə olunan pay"),
    "col_total": ("Total", "Cəmi"),
    **REFERRAL_STRINGS,
}


def translate(lang: str, key: str, **values: object) -> str:
    """The string ``key`` in ``lang`` (``en`` or ``az``), with ``{name}`` fields filled in.

    Examples
    --------
    >>> translate("az", "tier_urgent")
    'təcili'
    >>> translate("en", "receipt_of", id=3, name="visits.csv")
    'Upload 3: visits.csv'
    """
    pair = STRINGS[key]
    text = pair[1] if lang == "az" else pair[0]
    return text.format(**values) if values else text


def language_of(value: str | None) -> str:
    """A supported language code, or the default for anything else."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "STRINGS", "language_of", "translate"]
