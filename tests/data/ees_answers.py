"""Answers of the EES Content API (content.explore-education-statistics.service.gov.uk/api), field for
field as the service's own code shapes them, for the download tests.

Where each shape comes from (repository dfe-analytical-services/explore-education-statistics; ASP.NET
Core writes the C# properties in camelCase):

- ``GET /api/publications/{slug}/title``: ``PublicationTitleDto`` =
  ``{PublicationId: Guid, Title: string}``, src/GovUk.Education.ExploreEducationStatistics.Content.Services/
  Publications/Dtos/PublicationTitleDto.cs at c73011a3c69a5994880bda969fa47d9521a04a47, served by
  ``PublicationsController.GetPublicationTitle`` (src/GovUk.Education.ExploreEducationStatistics.Content.Api.Tests/
  Controllers/Publications/PublicationsControllerTests.cs at c056398f6c52339ac5d7f147c1f3d77a191fac7b); the
  frontend reads it as ``{publicationId, title}`` (src/explore-education-statistics-common/src/services/
  publicationService.ts, ``getPublicationTitle`` -> ``/publications/${publicationSlug}/title``). Before
  December 2025 the answer was ``PublicationTitleViewModel`` = ``{Id, Title}``
  (src/GovUk.Education.ExploreEducationStatistics.Content.Services/ViewModels/PublicationTitleViewModel.cs at
  dc78bd54d95aaddf970267fd138f910698732912): :func:`legacy_publication_title`.
- ``GET /api/data-set-files?publicationId=&latestOnly=&page=&pageSize=``: ``DataSetFilesController.ListDataSetFiles``
  (src/GovUk.Education.ExploreEducationStatistics.Content.Api/Controllers/DataSetFilesController.cs at
  01b683f057598fd5b0f1dcda713d3a3c3de66b40; query ``DataSetFileListRequest``, PageSize 1 to 40) answers
  ``PaginatedListViewModel<DataSetFileSummaryViewModel>`` = ``{Results, Paging: {Page, PageSize,
  TotalResults, TotalPages}}``, TotalPages = (TotalResults - 1) / PageSize + 1
  (src/GovUk.Education.ExploreEducationStatistics.Common/ViewModels/PaginatedListViewModel.cs at
  27246d0f872e778ef38f570817e5c1a442cbc899).
- Each result: ``DataSetFileSummaryViewModel`` (src/GovUk.Education.ExploreEducationStatistics.Content.ViewModels/
  DataSetFileSummaryViewModel.cs at 4ee5e82b5a7c7d3af1b9694ed75f1f1f053de4b5): Id, FileId, Filename, FileSize,
  FileExtension, Title, Content, Theme (IdTitleViewModel), Publication and Release (IdTitleSlugViewModel:
  Id, Title, Slug; .../Common/ViewModels/IdTitleSlugViewModel.cs at 3baf3bf1efd22f43065b427d79b1b451155f6101),
  LatestData, IsSuperseded, Published (DateTime), LastUpdated, Meta (DataSetFileMetaViewModel: NumDataFileRows,
  GeographicLevels, TimePeriodRange {From, To}, Filters, Indicators; DataSetFileMetaViewModel.cs at
  620842bf394ba7cced7548511298bff159a6e10b), Api (DataSetFileApiViewModel {Id, Version}, or null). The
  frontend's ``DataSetFileSummary`` (src/explore-education-statistics-frontend/src/services/dataSetFileService.ts)
  lists the same fields in camelCase.
- ``GET /api/data-set-files/{id}/download``: the data set's CSV (``FileStreamResult``, text/csv).

The titles are the live catalogue's (its data set pages: "Alternative provision - local authority funded
placements - pupil counts", 2017/18 to 2024/25; "School arranged alternative provision - by placement
reason", 2022/23 to 2025/26; "School characteristics by age, sex and attendance pattern", 2015/16 to
2025/26, data-catalogue/data-set/b801cba4-06bb-4121-9f04-9d2fd36df34e). The ids, dates, sizes and row counts below are MADE UP for the tests.
"""

PUBLICATION_ID = "cf0ec981-3583-42a5-b21b-3f2f32008f1b"  # made up
PUBLICATION_TITLE = "Schools, pupils and their characteristics"
PUBLICATION_SLUG = "school-pupils-and-their-characteristics"
RELEASE = {
    "id": "3a1d4c53-0c5b-4d79-9f4a-7d3b7d6c2e10",
    "title": "Academic year 2025/26",  # made up
    "slug": "2025-26",
}
PUBLISHED = "2026-06-04T08:30:00Z"  # made up
PUPIL_COUNTS = "Alternative provision - local authority funded placements - pupil counts"
PLACEMENT_REASONS = "School arranged alternative provision - by placement reason"
SCHOOL_CHARACTERISTICS = "School characteristics by age, sex and attendance pattern"


def publication_title(publication_id: str = PUBLICATION_ID) -> dict:
    """PublicationTitleDto, as served since December 2025."""
    return {"publicationId": publication_id, "title": PUBLICATION_TITLE}


def legacy_publication_title(publication_id: str = PUBLICATION_ID) -> dict:
    """PublicationTitleViewModel, as served before December 2025."""
    return {"id": publication_id, "title": PUBLICATION_TITLE}


def data_set_file_summary(
    data_set_id: str,
    title: str,
    time_from: str = "2017/18",
    time_to: str = "2025/26",
    published: str = PUBLISHED,
) -> dict:
    """One DataSetFileSummaryViewModel of the latest SPC release."""
    file_name = title.lower().replace(" - ", "_").replace(" ", "_") + ".csv"
    return {
        "id": data_set_id,
        "fileId": f"{data_set_id[:-4]}f11e",
        "filename": file_name,
        "fileSize": "12 Mb",
        "fileExtension": "csv",
        "title": title,
        "content": f"<p>{title}.</p>",
        "theme": {"id": "ee1855ca-d1e1-4f04-a795-cbd61d326a1f", "title": "Pupils and schools"},
        "publication": {"id": PUBLICATION_ID, "title": PUBLICATION_TITLE, "slug": PUBLICATION_SLUG},
        "release": dict(RELEASE),
        "latestData": True,
        "isSuperseded": False,
        "published": published,
        "lastUpdated": published,
        "meta": {
            "numDataFileRows": 1000,
            "geographicLevels": ["Local authority", "National", "Regional"],
            "timePeriodRange": {"from": time_from, "to": time_to},
            "filters": ["Pupil age", "Pupil sex"],
            "indicators": ["Headcount"],
        },
        "api": None,
    }


def paginated(results: list[dict], page: int, page_size: int, total_results: int) -> dict:
    """PaginatedListViewModel: one page of results and the paging block."""
    return {
        "results": results,
        "paging": {
            "page": page,
            "pageSize": page_size,
            "totalResults": total_results,
            "totalPages": int((total_results - 1) / page_size) + 1,
        },
    }  # C# integer division
