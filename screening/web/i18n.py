"""Every user-visible string of the web pages, in English and Azerbaijani (Latin script)."""

from __future__ import annotations

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
    "upload_title": ("Upload site visits", "Ziyarət qeydlərinin yüklənməsi"),
    "upload_intro": (
        "Choose or drop the visits file (CSV, XLSX, JSON or Parquet) and, for CSV or Parquet, "
        "the interviews file. Every bad row is listed with its reason; good rows are stored.",
        "Ziyarətlər faylını (CSV, XLSX, JSON və ya Parquet) seçin və ya bura atın; CSV və "
        "Parquet üçün müsahibələr faylını da əlavə edin. Hər səhv sətir səbəbi ilə göstərilir; "
        "düzgün sətirlər saxlanılır."),
    "visits_file": ("Visits file", "Ziyarətlər faylı"),
    "interviews_file": ("Interviews file (optional)", "Müsahibələr faylı (istəyə bağlı)"),
    "upload_submit": ("Upload and screen", "Yüklə və skrininq et"),
    "uploading": ("Uploading…", "Yüklənir…"),
    "sample_file": ("Sample visits file (CSV)", "Nümunə ziyarətlər faylı (CSV)"),
    "sample_interviews": ("Sample interviews file (CSV)", "Nümunə müsahibələr faylı (CSV)"),
    "sample_errors": ("Sample file with bad rows", "Səhv sətirləri olan nümunə fayl"),
    "column_guide": ("Column guide", "Sütun bələdçisi"),
    "upload_error": ("The file {name} could not be used: {reason}",
                     "{name} faylından istifadə etmək mümkün olmadı: {reason}"),
    "no_file": ("Choose a visits file first.", "Əvvəlcə ziyarətlər faylını seçin."),
    "receipt": ("Receipt", "Qəbz"),
    "receipt_of": ("Upload {id}: {name}", "Yükləmə {id}: {name}"),
    "repeat_note": ("This file was uploaded before; this is the first upload's receipt and "
                    "nothing new was stored.",
                    "Bu fayl əvvəl yüklənib; bu, ilk yükləmənin qəbzidir və yeni heç nə "
                    "saxlanılmayıb."),
    "accepted_visits": ("Visits accepted", "Qəbul edilmiş ziyarətlər"),
    "accepted_interviews": ("Interviews accepted", "Qəbul edilmiş müsahibələr"),
    "rejected_count": ("Rows rejected (visits and interviews)",
                       "Rədd edilmiş sətirlər (ziyarətlər və müsahibələr)"),
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
    "new_tiers": ("Tiers of the new visits", "Yeni ziyarətlərin səviyyələri"),
    "visits": ("Visits", "Ziyarətlər"),
    "upload_another": ("Upload another file", "Başqa fayl yüklə"),
    # guide
    "guide_title": ("Upload columns", "Yükləmə sütunları"),
    "guide_intro": (
        "An empty cell means unknown, never false. Booleans accept true/false, yes/no, 1/0. "
        "Extra columns are kept and ignored. Dates are ISO (2025-03-01).",
        "Boş xana “naməlum” deməkdir, heç vaxt “yox” demək deyil. Məntiqi dəyərlər "
        "true/false, yes/no, 1/0 qəbul edir. Əlavə sütunlar saxlanılır, lakin nəzərə "
        "alınmır. Tarixlər ISO formatındadır (2025-03-01)."),
    "guide_visits": ("visits: one row per site visit", "visits: hər ziyarət üçün bir sətir"),
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
                   "{total} ziyarət uyğun gəlir; səhifə {page} / {pages}."),
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
    "col_visit": ("Visit", "Ziyarət"),
    "col_site": ("Site", "İş yeri"),
    "col_date": ("Date", "Tarix"),
    "col_risk": ("Risk score", "Risk balı"),
    "col_rule": ("Rule score", "Qayda balı"),
    "col_reasons": ("First reasons", "İlk əsaslar"),
    "col_icls": ("ICLS workers", "ICLS işçiləri"),
    "col_exploration": ("Exploration", "Kəşfiyyat"),
    "exploration_mark": ("random slot", "təsadüfi yer"),
    "open": ("Open", "Aç"),
    "no_visits": ("No visit matches these filters.", "Bu filtrlərə uyğun ziyarət yoxdur."),
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
    "visit_title": ("Visit {id}", "Ziyarət {id}"),
    "visit_facts": ("Site {site} · {sector} · {region} · {date} · inspector {inspector}",
                    "İş yeri {site} · {sector} · {region} · {date} · inspektor {inspector}"),
    "score_title": ("Tier and scores", "Səviyyə və ballar"),
    "risk_explained": ("Risk score {risk} from model {model}.",
                       "{model} modelinə görə risk balı {risk}."),
    "risk_none": ("No model scored this visit: the tier comes from the rules alone.",
                  "Bu ziyarəti heç bir model qiymətləndirməyib: səviyyə yalnız qaydalardan gəlir."),
    "rule_explained": ("Rule score {score}: the weighted sum of the fired indicators below.",
                       "Qayda balı {score}: aşağıdakı işə düşmüş göstəricilərin çəkili cəmi."),
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
                     "Bu ziyarətdə heç bir işçi ilə müsahibə aparılmayıb."),
    "col_worker": ("Worker (pseudonymous)", "İşçi (təxəllüslü)"),
    "col_involuntariness": ("Involuntariness signs", "Qeyri-könüllülük əlamətləri"),
    "col_coercion": ("Coercion signs", "Məcburetmə əlamətləri"),
    "col_icls_result": ("ICLS result", "ICLS nəticəsi"),
    "icls_positive": ("meets the test", "testə uyğundur"),
    "icls_negative": ("does not meet the test", "testə uyğun deyil"),
    "icls_unknown": ("unknown", "naməlum"),
    "timeline_title": ("Earlier visits to this site", "Bu iş yerinə əvvəlki ziyarətlər"),
    "timeline_none": ("No other visit to this site is stored.",
                      "Bu iş yerinə başqa ziyarət saxlanılmayıb."),
    "this_visit": ("this visit", "bu ziyarət"),
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
                           "{start} – {end} dövrünə aid {train} ziyarət ({positives} məcburi "
                           "əmək); sonrakı {test} ziyarət üzərində yoxlanılıb."),
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
    "col_visits": ("Visits", "Ziyarətlər"),
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
    "by_tier": ("Visits by tier", "Səviyyələr üzrə ziyarətlər"),
    "by_sector_count": ("Visits by sector", "Sahələr üzrə ziyarətlər"),
    "by_region_count": ("Visits by region", "Regionlar üzrə ziyarətlər"),
    "urgent_unscheduled": ("Urgent visits without a scheduled follow-up: {count}",
                           "Planlaşdırılmış təqibi olmayan təcili ziyarətlər: {count}"),
    "urgent_unscheduled_link": ("Show them in the follow-up list",
                                "Onları təqib siyahısında göstər"),
    "total_visits": ("{total} visits in the period.", "Dövr ərzində {total} ziyarət."),
    "chart_label": ("{label}: {count}", "{label}: {count}"),
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
